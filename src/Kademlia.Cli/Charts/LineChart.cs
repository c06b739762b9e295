namespace Kademlia.Cli.Charts;

/// <summary>Lines over a numeric x axis, as a standalone SVG document.</summary>
internal sealed class LineChart
{
    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public string? YLabel { get; init; }

    public required IReadOnlyList<ChartSeries> Series { get; init; }

    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var x = AxisScale.Covering(points.Select(p => p.X).DefaultIfEmpty(0).Min(), points.Select(p => p.X).DefaultIfEmpty(1).Max());
        var y = AxisScale.Covering(points.Select(p => p.Y).DefaultIfEmpty(0).Min(), points.Select(p => p.Y).DefaultIfEmpty(1).Max());

        var svg = ChartFrame.Begin(Title, XLabel, YLabel);
        ChartFrame.YAxis(svg, y);
        ChartFrame.XAxis(svg, x);
        for (var i = 0; i < Series.Count; i++)
        {
            var series = Series[i];
            var pixels = Pixels(series, x, y).ToList();
            svg.Polyline(pixels, ChartFrame.Colour(i));
            if (series.Markers)
            {
                foreach (var point in series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
                {
                    svg.Circle(x.Map(point.X, ChartFrame.Left, ChartFrame.Right), y.Map(point.Y, ChartFrame.Bottom, ChartFrame.Top), 2.5, ChartFrame.Colour(i));
                }
            }
        }

        ChartFrame.Border(svg);
        ChartFrame.Legend(svg, Series.Select(s => s.Name).ToList());
        return svg.ToString();
    }

    private static IEnumerable<(double X, double Y)> Pixels(ChartSeries series, AxisScale x, AxisScale y)
    {
        (double X, double Y)? previous = null;
        foreach (var point in series.Points)
        {
            if (!double.IsFinite(point.X) || !double.IsFinite(point.Y))
            {
                continue; // a gap in the data (no sample at that time) is skipped, not drawn at zero
            }

            var pixel = (X: x.Map(point.X, ChartFrame.Left, ChartFrame.Right), Y: y.Map(point.Y, ChartFrame.Bottom, ChartFrame.Top));
            if (series.Shape == LineShape.Step && previous is { } last)
            {
                yield return (pixel.X, last.Y);
            }

            yield return pixel;
            previous = pixel;
        }
    }
}
