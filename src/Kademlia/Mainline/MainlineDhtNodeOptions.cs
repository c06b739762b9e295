using System.Net;

namespace Kademlia.Mainline;

/// <summary>How a <see cref="MainlineDhtNode"/> binds and whom it asks first.</summary>
public sealed record MainlineDhtNodeOptions
{
    /// <summary>
    /// Well-known public routers of the BitTorrent DHT. Never used unless put in <see cref="BootstrapNodes"/>:
    /// a node joins the public network only when told to.
    /// </summary>
    public static IReadOnlyList<string> PublicRouters { get; } =
        ["router.bittorrent.com:6881", "router.utorrent.com:6881", "dht.transmissionbt.com:6881", "dht.libtorrent.org:25401"];

    /// <summary>
    /// The local UDP endpoint. Defaults to <c>0.0.0.0:6881</c>. <c>[::]</c> binds a dual-stack socket and the
    /// node then speaks IPv4 and IPv6 (BEP 32); a specific IPv6 address speaks IPv6 only.
    /// </summary>
    public IPEndPoint Bind { get; init; } = new(IPAddress.Any, 6881);

    /// <summary>
    /// Routers or nodes <see cref="MainlineDhtNode.BootstrapAsync(CancellationToken)"/> asks, as <c>host:port</c>
    /// (<c>[v6]:port</c> for IPv6 literals). Empty by default; <see cref="PublicRouters"/> joins the public network.
    /// </summary>
    public IReadOnlyList<string> BootstrapNodes { get; init; } = [];

    /// <summary>The engine's settings (ID, read-only mode, limits). The address families follow <see cref="Bind"/>.</summary>
    public MainlineEngineOptions Engine { get; init; } = new();
}
