namespace HostedPeers;

/// <summary>The <c>HostedPeers</c> section: the topic to announce under and the name to announce.</summary>
internal sealed class PeerSettings
{
    public const string SectionName = "HostedPeers";

    /// <summary>Any name; its SHA-256 is the topic's ID.</summary>
    public string Topic { get; set; } = "hosted-peers-example";

    /// <summary>What this peer announces itself as; empty for the machine name and process ID.</summary>
    public string Name { get; set; } = "";
}
