using Kademlia.Engine;

namespace Kademlia.Hosting;

/// <summary>
/// Settings of the hosted node, bound from the <c>Kademlia</c> section of configuration
/// (<see cref="SectionName"/>) and checked when the host starts. What configuration cannot carry
/// (an identity, a record store, your own network parameters) goes in <see cref="ConfigureNode"/>.
/// </summary>
/// <example>
/// <code>
/// {
///   "Kademlia": {
///     "Network": "default",
///     "Bind": "::",
///     "Port": 4000,
///     "Bootstrap": [ "&lt;key&gt;.&lt;nonce&gt;@203.0.113.10:4000", "seed.example.org:4000" ]
///   }
/// }
/// </code>
/// </example>
public sealed class KademliaNodeOptions
{
    /// <summary>The configuration section <c>AddKademliaNode(configuration)</c> binds: <c>Kademlia</c>.</summary>
    public const string SectionName = "Kademlia";

    /// <summary>
    /// The network preset: <c>default</c> (the public parameters) or <c>test</c> (cheap proof-of-work,
    /// loopback exempt from the IP-diversity limits; never in production). Required: there is no default,
    /// so a node never joins a network nobody chose. Other parameters: set <see cref="DhtNodeOptions.Network"/>
    /// in <see cref="ConfigureNode"/> (and <c>Network</c> to the preset closest to them).
    /// </summary>
    public string? Network { get; set; }

    /// <summary>
    /// The IP address to bind the UDP socket to. Defaults to <c>::</c>, dual stack (IPv4 and IPv6).
    /// </summary>
    public string Bind { get; set; } = "::";

    /// <summary>The UDP port, 0 to let the system choose. Defaults to 0; pick a fixed one for a node others bootstrap from.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The <c>address:port</c> other nodes should use to reach this one, or none (the default) to
    /// advertise the bound address, or the one peers agree they see (see <see cref="DhtNodeOptions.AdvertisedEndpoint"/>).
    /// </summary>
    public string? Advertise { get; set; }

    /// <summary>
    /// Nodes to join through: contact strings (<c>key.nonce@host:port</c>) or addresses
    /// (<c>host:port</c>, host names resolved at each attempt). Empty (the default): the first node of
    /// its network, which others join. The join runs in the background after start and retries with
    /// backoff until a seed answers (see <see cref="DhtNode.JoinAsync"/>).
    /// </summary>
    public IList<string> Bootstrap { get; } = [];

    /// <summary>Server, client, or decided by reachability probes. Defaults to <see cref="NodeMode.Auto"/>.</summary>
    public NodeMode Mode { get; set; } = NodeMode.Auto;

    /// <summary>Stores that must acknowledge a put or announce. Defaults to 1.</summary>
    public int Quorum { get; set; } = 1;

    /// <summary>The first wait between join attempts that no seed answered. Defaults to 1 second.</summary>
    public TimeSpan JoinRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between join attempts. Defaults to 60 seconds.</summary>
    public TimeSpan JoinRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Applied last to the <see cref="DhtNodeOptions"/> built from these settings, for what
    /// configuration cannot carry: an <see cref="DhtNodeOptions.Identity"/> kept across restarts, a
    /// <see cref="DhtNodeOptions.Store"/>, <see cref="DhtNodeOptions.Published"/> records, other network
    /// parameters. Logging, metrics and the clock come from the host's services before it runs.
    /// </summary>
    public Action<DhtNodeOptions>? ConfigureNode { get; set; }
}
