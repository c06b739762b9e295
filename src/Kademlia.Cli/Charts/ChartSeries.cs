namespace Kademlia.Cli.Charts;

/// <summary>One point of a line chart, in data units.</summary>
internal readonly record struct ChartPoint(double X, double Y);

/// <summary>How a series joins its points.</summary>
internal enum LineShape
{
    /// <summary>A straight segment from point to point.</summary>
    Straight,

    /// <summary>Horizontal then vertical: the value holds until the next point (a CDF of integers).</summary>
    Step,
}

/// <summary>A named line of a <see cref="LineChart"/>.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, LineShape Shape = LineShape.Straight, bool Markers = false);

/// <summary>One bar of a <see cref="BarChart"/>, with the text printed above it.</summary>
internal sealed record ChartBar(string Label, double Value, string Text);
