namespace Kademlia.Cli.Charts;

/// <summary>
/// The layout every chart shares: an 800 × 500 canvas, a plot area inside margins for the title and
/// the axis labels, grid lines at the ticks, and the series colours.
/// </summary>
internal static class ChartFrame
{
    public const int Width = 800;
    public const int Height = 500;
    public const double Left = 75;
    public const double Right = Width - 25;
    public const double Top = 45;
    public const double Bottom = Height - 60;

    private const string Grid = "#e0e0e0";
    private const string Ink = "#333333";

    /// <summary>Colour-blind-safe series colours (Okabe–Ito), reused in order.</summary>
    private static readonly string[] Palette = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9"];

    public static string Colour(int index) => Palette[index % Palette.Length];

    /// <summary>A canvas with the title and the axis labels drawn.</summary>
    public static SvgWriter Begin(string title, string? xLabel, string? yLabel)
    {
        var svg = new SvgWriter(Width, Height);
        svg.Text(Width / 2.0, 26, title, size: 16, bold: true);
        if (xLabel is not null)
        {
            svg.Text((Left + Right) / 2, Height - 15, xLabel, size: 14);
        }

        if (yLabel is not null)
        {
            svg.Text(20, (Top + Bottom) / 2, yLabel, size: 14, rotate: -90);
        }

        return svg;
    }

    /// <summary>Horizontal grid lines and labels at the ticks of <paramref name="y"/>.</summary>
    public static void YAxis(SvgWriter svg, AxisScale y)
    {
        foreach (var tick in y.Ticks())
        {
            var at = y.Map(tick, Bottom, Top);
            svg.Line(Left, at, Right, at, Grid);
            svg.Text(Left - 6, at + 4, y.Label(tick), anchor: "end");
        }
    }

    /// <summary>Vertical grid lines and labels at the ticks of <paramref name="x"/>.</summary>
    public static void XAxis(SvgWriter svg, AxisScale x)
    {
        foreach (var tick in x.Ticks())
        {
            var at = x.Map(tick, Left, Right);
            svg.Line(at, Top, at, Bottom, Grid);
            svg.Text(at, Bottom + 16, x.Label(tick));
        }
    }

    /// <summary>The plot area's border, drawn last so it lies over the grid.</summary>
    public static void Border(SvgWriter svg) => svg.Rect(Left, Top, Right - Left, Bottom - Top, fill: "none", stroke: Ink);

    /// <summary>A legend box in the plot area's lower right corner, one coloured line per name.</summary>
    public static void Legend(SvgWriter svg, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        const double row = 18;
        var width = 44 + (names.Max(n => n.Length) * 7.5);
        var height = (names.Count * row) + 8;
        var (x, y) = (Right - width - 10, Bottom - height - 10);
        svg.Rect(x, y, width, height, fill: "white", stroke: Ink);
        for (var i = 0; i < names.Count; i++)
        {
            var middle = y + 4 + (row * i) + (row / 2);
            svg.Line(x + 8, middle, x + 28, middle, Colour(i), width: 2);
            svg.Text(x + 34, middle + 4, names[i], anchor: "start");
        }
    }
}
