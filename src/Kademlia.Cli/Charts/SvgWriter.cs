using System.Globalization;
using System.Security;
using System.Text;

namespace Kademlia.Cli.Charts;

/// <summary>
/// Writes the few SVG elements the charts draw. Text is escaped, coordinates are written with one
/// decimal in the invariant culture, so a chart is plain, small and the same on every machine.
/// </summary>
internal sealed class SvgWriter
{
    private readonly StringBuilder _svg = new();

    public SvgWriter(int width, int height)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        Rect(0, 0, width, height, fill: "white", stroke: "none");
    }

    public void Rect(double x, double y, double width, double height, string fill, string stroke) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n");

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"/>\n");

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5)
    {
        _svg.Append("<polyline fill=\"none\" stroke=\"").Append(stroke).Append(CultureInfo.InvariantCulture, $"\" stroke-width=\"{N(width)}\" points=\"");
        var first = true;
        foreach (var (x, y) in points)
        {
            _svg.Append(first ? "" : " ").Append(N(x)).Append(',').Append(N(y));
            first = false;
        }

        _svg.Append("\"/>\n");
    }

    public void Circle(double x, double y, double radius, string fill) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(radius)}\" fill=\"{fill}\"/>\n");

    /// <summary>Text anchored at (x, y): <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> turns it about that point.</summary>
    public void Text(double x, double y, string text, string anchor = "middle", int size = 12, bool bold = false, int rotate = 0)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\" font-size=\"{size}\"");
        if (bold)
        {
            _svg.Append(" font-weight=\"bold\"");
        }

        if (rotate != 0)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" transform=\"rotate({rotate} {N(x)} {N(y)})\"");
        }

        _svg.Append('>').Append(SecurityElement.Escape(text)).Append("</text>\n");
    }

    public override string ToString() => _svg + "</svg>\n";

    private static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);
}
