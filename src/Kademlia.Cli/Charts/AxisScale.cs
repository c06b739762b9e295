namespace Kademlia.Cli.Charts;

/// <summary>
/// A linear axis: a data range widened to round tick values (1, 2 or 5 times a power of ten, about
/// <see cref="TargetTicks"/> of them) and mapped onto a pixel range.
/// </summary>
internal sealed class AxisScale
{
    private const int TargetTicks = 8;

    private AxisScale(double min, double max, double step)
    {
        Min = min;
        Max = max;
        Step = step;
    }

    public double Min { get; }

    public double Max { get; }

    public double Step { get; }

    /// <summary>The tick values from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IEnumerable<double> Ticks()
    {
        var count = (int)Math.Round((Max - Min) / Step);
        for (var i = 0; i <= count; i++)
        {
            yield return Min + (i * Step);
        }
    }

    /// <summary>A scale covering <paramref name="low"/> to <paramref name="high"/>; an empty or flat range gets a unit span.</summary>
    public static AxisScale Covering(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            (low, high) = (0, 1);
        }

        if (high - low < 1e-12)
        {
            (low, high) = (low - 0.5, high + 0.5);
        }

        var step = NiceStep((high - low) / TargetTicks);
        return new AxisScale(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>Where <paramref name="value"/> falls between <paramref name="from"/> (at Min) and <paramref name="to"/> (at Max).</summary>
    public double Map(double value, double from, double to) => from + ((value - Min) / (Max - Min) * (to - from));

    /// <summary>A tick label with as many decimals as the step needs.</summary>
    public string Label(double value)
    {
        var decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(Step) - 1e-9));
        return Math.Round(value, decimals).ToString($"F{decimals}", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
