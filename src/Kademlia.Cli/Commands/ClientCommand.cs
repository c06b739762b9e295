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

    /// <summary>
    /// Why a put or announce reached no node: a node that knows no other node keeps the record
    /// itself (and republishes it once it has peers); otherwise the others refused or did not answer.
    /// </summary>
    public static string StoredNowhere(OperationResult result, string what) => result.Attempted == 0
        ? $"stored locally only: the node knows no other node yet, so no other node holds the {what}; the node keeps it and republishes it on its schedule once it has peers."
        : $"no node stored the {what}{Rejections(result)}.";

    /// <summary>"SequenceMismatch ×2, Full ×1" for a one-line failure message.</summary>
    public static string Rejections(OperationResult result) =>
        result.Rejections is { Count: > 0 } r ? " (refused: " + string.Join(", ", r.Select(p => $"{p.Key} ×{p.Value}")) + ")" : "";
}
