using System.Text.Json;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary>What every client command does after parsing: run, print (human or <c>--json</c>), map to an exit code.</summary>
internal static class ClientCommand
{
    public static async Task<int> RunAsync(
        ClientSettings settings,
        ControlRequest request,
        Action<OperationResult> printHuman,
        Func<OperationResult, string> failure,
        CancellationToken cancellationToken,
        Func<ProviderSummary, Task>? onProvider = null)
    {
        var result = await OperationRunner.RunAsync(settings, request, settings.Json ? null : onProvider, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, ControlJson.Default.OperationResult)).ConfigureAwait(false);
        }
        else
        {
            printHuman(result);
        }

        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"kad: {failure(result)}").ConfigureAwait(false);
            return ExitCodes.NotFound;
        }

        return ExitCodes.Success;
    }

    /// <summary>"SequenceMismatch ×2, Full ×1" for a one-line failure message.</summary>
    public static string Rejections(OperationResult result) =>
        result.Rejections is { Count: > 0 } r ? " (refused: " + string.Join(", ", r.Select(p => $"{p.Key} ×{p.Value}")) + ")" : "";
}
