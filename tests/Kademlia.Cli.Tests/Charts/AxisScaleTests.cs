using CsCheck;
using Kademlia.Cli.Charts;

namespace Kademlia.Cli.Tests.Charts;

public sealed class AxisScaleTests
{
    private static readonly Gen<(double Low, double High)> GenRange =
        Gen.Select(Gen.Double[-1e6, 1e6], Gen.Double[0, 1e6], Gen.Int[-6, 6])
            .Select((low, span, exponent) => (low * Math.Pow(10, exponent - 6), (low + span) * Math.Pow(10, exponent - 6)));

    [Fact]
    public void Covering_a_range_spans_it_with_a_round_step_and_a_readable_number_of_ticks() =>
        GenRange.Sample(range =>
        {
            var scale = AxisScale.Covering(range.Low, range.High);
            var ticks = scale.Ticks().ToList();
            Assert.True(scale.Min <= range.Low && scale.Max >= range.High, $"[{scale.Min}, {scale.Max}] misses [{range.Low}, {range.High}]");
            Assert.InRange(ticks.Count, 2, 12);
            var mantissa = scale.Step / Math.Pow(10, Math.Floor(Math.Log10(scale.Step)));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0, 10.0 });
            // A step far below the values' magnitude (a span of 5e-11 around -8227) is finer than a few
            // units in the last place of the values themselves: allow that rounding too.
            var rounding = Math.Abs(scale.Max) * 16 * Math.Pow(2, -52);
            Assert.Equal(scale.Max, ticks[^1], Math.Max(scale.Step * 1e-6, rounding));
        });

    [Fact]
    public void Map_sends_the_ends_of_the_scale_to_the_ends_of_the_pixel_range() =>
        GenRange.Sample(range =>
        {
            var scale = AxisScale.Covering(range.Low, range.High);
            Assert.Equal(440, scale.Map(scale.Min, 440, 45), 6);
            Assert.Equal(45, scale.Map(scale.Max, 440, 45), 6);
            var inside = scale.Map(range.Low, 440, 45);
            Assert.InRange(inside, 45 - 1e-6, 440 + 1e-6);
        });

    [Fact]
    public void A_flat_or_empty_range_still_gets_an_axis()
    {
        Assert.True(AxisScale.Covering(7, 7).Max > AxisScale.Covering(7, 7).Min);
        Assert.True(AxisScale.Covering(double.NaN, double.NaN).Max > AxisScale.Covering(double.NaN, double.NaN).Min);
    }

    [Fact]
    public void Labels_carry_the_decimals_the_step_needs()
    {
        var tenths = AxisScale.Covering(0, 0.8);
        Assert.Equal("0.3", tenths.Label(0.30000000000000004));
        var hundreds = AxisScale.Covering(0, 800);
        Assert.Equal("300", hundreds.Label(300));
    }
}
