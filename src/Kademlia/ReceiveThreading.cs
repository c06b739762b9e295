namespace Kademlia;

/// <summary>Where a <see cref="DhtNode"/> receives its datagrams (<see cref="DhtNodeOptions.ReceiveThreading"/>).</summary>
public enum ReceiveThreading
{
    /// <summary>
    /// A thread of its own while the process has fewer nodes with one than logical processors, else the
    /// thread pool: a lone node gets the lowest latency, and a process of many nodes does not run more
    /// receive threads than it has cores.
    /// </summary>
    Auto,

    /// <summary>
    /// A thread of the node's own, blocked in the socket's receive: no dispatch between the socket and the
    /// engine. The fastest for one busy node (docs/BENCHMARKS.md).
    /// </summary>
    DedicatedThread,

    /// <summary>Asynchronous receives completed on the thread pool, which many nodes in one process share.</summary>
    ThreadPool,
}
