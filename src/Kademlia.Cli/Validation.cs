using System.CommandLine;
using System.CommandLine.Parsing;

namespace Kademlia.Cli;

/// <summary>
/// Validators that survive values which did not convert: reading such a value throws in
/// System.CommandLine 2.0, and the conversion error is already reported, so the check is skipped.
/// </summary>
internal static class Validation
{
    public static void Check<T>(this Option<T> option, Func<T, string?> check) => option.Validators.Add(result =>
    {
        if (TryRead(() => result.GetValueOrDefault<T>(), out var value) && check(value) is { } error)
        {
            result.AddError(error);
        }
    });

    public static void Check<T>(this Argument<T> argument, Func<T, string?> check) => argument.Validators.Add(result =>
    {
        if (TryRead(() => result.GetValueOrDefault<T>(), out var value) && check(value) is { } error)
        {
            result.AddError(error);
        }
    });

    public static void Check(this Command command, Func<CommandResult, string?> check) => command.Validators.Add(result =>
    {
        if (TryRead(() => check(result), out var error) && error is not null)
        {
            result.AddError(error);
        }
    });

    private static bool TryRead<T>(Func<T> read, out T value)
    {
        try
        {
            value = read();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}
