namespace Kademlia.Cli.Control;

/// <summary>
/// One JSON line from the daemon: a provider found (zero or more, while FIND_PROVIDERS runs), then
/// exactly one final line with either <see cref="Result"/> or <see cref="Error"/> and <see cref="ExitCode"/>.
/// </summary>
internal sealed class ControlReply
{
    /// <summary>A provider, streamed as soon as it is found.</summary>
    public ProviderSummary? Provider { get; set; }

    /// <summary>The final result.</summary>
    public OperationResult? Result { get; set; }

    /// <summary>The one-line reason the operation was refused or failed.</summary>
    public string? Error { get; set; }

    /// <summary>The exit code the client should end with when <see cref="Error"/> is set.</summary>
    public int? ExitCode { get; set; }
}
