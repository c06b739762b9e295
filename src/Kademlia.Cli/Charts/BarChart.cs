namespace Kademlia.Cli.Charts;

/// <summary>Labelled vertical bars from zero, each with its value printed above it, as a standalone SVG document.</summary>
internal sealed class BarChart
{
    public required string Title { get; init; }

    public string? YLabel { get; init; }

    public required IReadOnlyList<ChartBar> Bars { get; init; }

    /// <summary>The top of the y axis; defaults to the largest bar.</summary>
    public double? YMax { get; init; }

    public string ToSvg()
    {
        var top = YMax ?? Bars.Select(b => b.Value).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var y = AxisScale.Covering(0, top);
        var svg = ChartFrame.Begin(Title, xLabel: null, YLabel);
        ChartFrame.YAxis(svg, y);
        var slot = (ChartFrame.Right - ChartFrame.Left) / Math.Max(Bars.Count, 1);
        for (var i = 0; i < Bars.Count; i++)
        {
            var bar = Bars[i];
            var middle = ChartFrame.Left + (slot * (i + 0.5));
            var height = double.IsFinite(bar.Value) ? Math.Max(0, y.Map(bar.Value, 0, ChartFrame.Bottom - ChartFrame.Top)) : 0;
            svg.Rect(middle - (slot * 0.3), ChartFrame.Bottom - height, slot * 0.6, height, fill: ChartFrame.Colour(0), stroke: "none");
            svg.Text(middle, ChartFrame.Bottom - height - 6, bar.Text);
            svg.Text(middle, ChartFrame.Bottom + 16, bar.Label);
        }

        ChartFrame.Border(svg);
        return svg.ToString();
    }
}
