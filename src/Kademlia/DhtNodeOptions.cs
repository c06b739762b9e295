using System.Diagnostics.Metrics;
using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Microsoft.Extensions.Logging;

namespace Kademlia;

/// <summary>Settings of a <see cref="DhtNode"/>.</summary>
public sealed class DhtNodeOptions
{
    /// <summary>
    /// The network to join, chosen explicitly: <see cref="NetworkParameters.Default"/> for the public network,
    /// <see cref="NetworkParameters.Test"/> for tests on one machine, or parameters of your own. Nodes of
    /// different networks never talk (the network ID is in every packet), so there is no default to get wrong.
    /// </summary>
    public required NetworkParameters Network { get; set; }

    /// <summary>
    /// Where to bind the UDP socket. Defaults to <c>[::]:0</c>, dual stack (IPv4 and IPv6) on a port
    /// chosen by the system. Use <c>127.0.0.1:0</c> in tests.
    /// </summary>
    public IPEndPoint Bind { get; set; } = new(IPAddress.IPv6Any, 0);

    /// <summary>
    /// The endpoint other nodes should use to reach us (written into provider records). Defaults to the
    /// bound endpoint when it is a specific address. Bound to a wildcard (or to loopback on a network that
    /// is not a test network), nothing is advertised until peers from three distinct prefixes agree on the
    /// endpoint they observe; announcing before then fails with a clear error. On test networks a wildcard
    /// bind advertises 127.0.0.1 with the bound port.
    /// </summary>
    public IPEndPoint? AdvertisedEndpoint { get; set; }

    /// <summary>The node's identity. Defaults to a new one generated at start (meeting the network's proof-of-work).</summary>
    public NodeIdentity? Identity { get; set; }

    /// <summary>Where records are kept. Defaults to a <see cref="MemoryRecordStore"/>.</summary>
    public IRecordStore? Store { get; set; }

    /// <summary>
    /// Values and announcements to go on republishing, as <see cref="DhtNode.GetPublishedAsync"/> listed
    /// them before a restart (each at its saved time, or soon after joining when that has passed; see
    /// <see cref="KademliaEngine.Restore"/>). Without them a restarted node stops republishing and what it
    /// published expires one TTL later. Defaults to none.
    /// </summary>
    public IReadOnlyList<PublishedRecord> Published { get; set; } = [];

    /// <summary>Stores that must acknowledge a put or announce. Defaults to 1.</summary>
    public int Quorum { get; set; } = 1;

    /// <summary>
    /// Requests per second served to one source (an IP address; an IP and port on loopback), as a token
    /// bucket whose burst is twice this. Defaults to 1,000.
    /// </summary>
    public double RequestsPerSecondPerSource { get; set; } = 1_000;

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logging. Defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Where the <c>Kademlia</c> meter is created. Defaults to a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Datagrams queued for the engine before new ones are dropped (and counted). Defaults to 16,384.</summary>
    public int MaxQueuedDatagrams { get; set; } = 16_384;

    /// <summary>
    /// The first wait of <see cref="DhtNode.JoinAsync"/> after an attempt that no seed answered; each
    /// further wait doubles, up to <see cref="JoinRetryMaxDelay"/>, and is drawn between half and all of
    /// its step. Defaults to 1 second.
    /// </summary>
    public TimeSpan JoinRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two join attempts (before jitter). Defaults to 60 seconds.</summary>
    public TimeSpan JoinRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Server, client, or decided by reachability probes (a client while unreachable). Defaults to
    /// <see cref="NodeMode.Auto"/>.
    /// </summary>
    public NodeMode Mode { get; set; } = NodeMode.Auto;

    /// <summary>How often a client keeps its NAT mappings alive. Defaults to 25 seconds.</summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How many of its closest contacts a client keeps NAT mappings open to (its paths for lookups and
    /// for rendezvous). Defaults to 8; at least 1.
    /// </summary>
    public int KeepalivePeers { get; set; } = 8;

    /// <summary>
    /// Application messages (requests and datagrams together) taken per second from one peer, as a token
    /// bucket whose burst is twice this; beyond it requests are refused and datagrams dropped. Defaults to 100.
    /// </summary>
    public double AppMessagesPerSecondPerPeer { get; set; } = 100;

    /// <summary>
    /// Application messages one <see cref="DhtNode.ReceiveAsync"/> may have waiting to be read; more are
    /// dropped (a request among them is refused, so its sender may try later) and counted as
    /// <c>runtime.AppInboxFull</c>. Defaults to 256.
    /// </summary>
    public int AppInboxCapacity { get; set; } = 256;

    /// <summary>
    /// Runs the code after an <c>await</c> of <see cref="DhtNode.PingAsync(NodeInfo, CancellationToken)"/> and of
    /// the lookups and stores on the thread that saw the answer (usually the node's receive thread) instead of
    /// dispatching it to the thread pool: one hand-off less per request, which on two cores is the difference
    /// between about 60,000 and 100,000 pings a second (docs/BENCHMARKS.md). Unsafe, as Kestrel's option of
    /// the same name: while that code runs, the node receives nothing, so code that blocks there (a synchronous
    /// wait, slow I/O) stalls the node until it returns, and a synchronous wait on another call of the same node
    /// lasts until that call times out. Turn it on for code that only starts the next operation or hands the
    /// result on. Defaults to false. Never runs that code while the node holds its engine.
    /// </summary>
    public bool UnsafePreferInlineScheduling { get; set; }

    /// <summary>
    /// Where the node receives: a thread of its own, or the thread pool. Defaults to <see cref="ReceiveThreading.Auto"/>,
    /// a thread of its own for as many nodes of the process as it has logical processors.
    /// </summary>
    public ReceiveThreading ReceiveThreading { get; set; } = ReceiveThreading.Auto;

    /// <summary>Tests only: a filter every datagram sent and received passes (a NAT's filtering on loopback).</summary>
    internal Internal.IDatagramFilter? DatagramFilter { get; set; }
}
