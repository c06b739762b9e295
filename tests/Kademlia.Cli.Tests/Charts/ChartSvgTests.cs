using System.Globalization;
using System.Xml.Linq;
using Kademlia.Cli.Charts;
using Kademlia.Cli.Commands;

namespace Kademlia.Cli.Tests.Charts;

public sealed class ChartSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public void A_line_chart_is_an_svg_document_with_one_line_per_series_inside_the_plot_area()
    {
        var chart = new LineChart
        {
            Title = "latency <p50> & p99",
            XLabel = "ms",
            Series =
            [
                new ChartSeries("first", [new(0, 0), new(10, 0.5), new(20, 1)]),
                new ChartSeries("second", [new(5, 0.2), new(15, 0.9)], Markers: true),
            ],
        };

        var svg = XDocument.Parse(chart.ToSvg()).Root!;

        Assert.Equal(Svg + "svg", svg.Name);
        var lines = svg.Elements(Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal([3, 2], lines.Select(l => Points(l).Count));
        Assert.All(lines.SelectMany(Points), p =>
        {
            Assert.InRange(p.X, ChartFrame.Left, ChartFrame.Right);
            Assert.InRange(p.Y, ChartFrame.Top, ChartFrame.Bottom);
        });
        Assert.Equal(2, svg.Elements(Svg + "circle").Count());
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "latency <p50> & p99");
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "second");
    }

    [Fact]
    public void A_step_series_holds_each_value_until_the_next_point()
    {
        var chart = new LineChart { Title = "t", XLabel = "x", Series = [new ChartSeries("s", [new(1, 0.25), new(2, 0.5), new(4, 1)], LineShape.Step)] };

        var points = Points(XDocument.Parse(chart.ToSvg()).Root!.Element(Svg + "polyline")!);

        Assert.Equal(5, points.Count);
        for (var i = 1; i < points.Count; i += 2)
        {
            Assert.Equal(points[i - 1].Y, points[i].Y); // horizontal to the next x ...
            Assert.Equal(points[i + 1].X, points[i].X); // ... then up to its value
        }
    }

    [Fact]
    public void Points_without_a_value_are_left_out_of_the_line()
    {
        var chart = new LineChart { Title = "t", XLabel = "x", Series = [new ChartSeries("s", [new(0, 1), new(1, double.NaN), new(2, 3)])] };

        var points = Points(XDocument.Parse(chart.ToSvg()).Root!.Element(Svg + "polyline")!);

        Assert.Equal(2, points.Count);
    }

    [Fact]
    public void Bar_heights_are_proportional_to_their_values()
    {
        var chart = new BarChart { Title = "rates", Bars = [new ChartBar("a", 50, "50%"), new ChartBar("b", 100, "100%"), new ChartBar("c", 0, "0%")], YMax = 110 };

        var bars = XDocument.Parse(chart.ToSvg()).Root!.Elements(Svg + "rect")
            .Where(r => r.Attribute("fill")!.Value == ChartFrame.Colour(0))
            .Select(r => double.Parse(r.Attribute("height")!.Value, CultureInfo.InvariantCulture))
            .ToList();

        Assert.Equal(3, bars.Count);
        Assert.Equal(bars[1] / 2, bars[0], 0.1);
        Assert.Equal(0, bars[2]);
    }

    [Fact]
    public void Cumulative_fractions_give_one_point_per_distinct_value_ending_at_one()
    {
        var points = Plots.CumulativeFractions([3, 1, 3, 2, 1, 3]);

        Assert.Equal([new ChartPoint(1, 2 / 6.0), new ChartPoint(2, 3 / 6.0), new ChartPoint(3, 1)], points);
        Assert.Empty(Plots.CumulativeFractions([]));
    }
}
