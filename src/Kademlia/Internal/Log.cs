using System.Net;
using Microsoft.Extensions.Logging;

namespace Kademlia.Internal;

/// <summary>Every log message of the runtime, with stable event IDs.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Kademlia node {NodeId} listening on {EndPoint} (network {Network})")]
    public static partial void Started(ILogger logger, string nodeId, EndPoint endPoint, string network);

    [LoggerMessage(2, LogLevel.Information, "Kademlia node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, string nodeId);

    [LoggerMessage(3, LogLevel.Debug, "Contact added: {Contact}")]
    public static partial void ContactAdded(ILogger logger, string contact);

    [LoggerMessage(4, LogLevel.Debug, "Contact evicted: {Contact}")]
    public static partial void ContactEvicted(ILogger logger, string contact);

    [LoggerMessage(5, LogLevel.Debug, "{Operation} {QueryId} finished: succeeded={Succeeded} hops={Hops} messages={Messages} in {DurationMs:F1} ms")]
    public static partial void QueryFinished(ILogger logger, string operation, string queryId, bool succeeded, int hops, int messages, double durationMs);

    [LoggerMessage(6, LogLevel.Debug, "Record {Key} stored by {Source}")]
    public static partial void RecordStored(ILogger logger, string key, string source);

    [LoggerMessage(7, LogLevel.Debug, "{Count} records expired")]
    public static partial void RecordsExpired(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Warning, "Sending to {EndPoint} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, EndPoint endPoint, string error);

    [LoggerMessage(9, LogLevel.Warning, "Receiving failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string error);

    [LoggerMessage(10, LogLevel.Warning, "Inbound queue of {Lane} full: datagrams are dropped; logged again after it drains to a quarter (first from {EndPoint})")]
    public static partial void InboxFull(ILogger logger, string lane, EndPoint endPoint);

    [LoggerMessage(11, LogLevel.Error, "The node loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "{Operation} failed with an unexpected exception; the node goes on")]
    public static partial void OperationFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "Handling a datagram from {EndPoint} failed ({Count} so far); it was dropped and the node goes on")]
    public static partial void DatagramFailed(ILogger logger, EndPoint endPoint, long count, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "A timer pass failed ({Count} so far); the next runs no sooner than a second from now")]
    public static partial void TimerFailed(ILogger logger, long count, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Join attempt {Attempt}: none of {Seeds} seeds answered; trying again in {DelaySeconds:F1} s")]
    public static partial void JoinRetrying(ILogger logger, int attempt, int seeds, double delaySeconds);

    [LoggerMessage(16, LogLevel.Warning, "Join attempt {Attempt}: seed host {Host} does not resolve ({Error})")]
    public static partial void SeedUnresolved(ILogger logger, int attempt, string host, string error);

    [LoggerMessage(17, LogLevel.Information, "Joined on attempt {Attempt}: {TableSize} contacts")]
    public static partial void Joined(ILogger logger, int attempt, int tableSize);

    [LoggerMessage(20, LogLevel.Information, "Peers from distinct networks see this node at {EndPoint}")]
    public static partial void ExternalAddressChanged(ILogger logger, string endPoint);

    [LoggerMessage(21, LogLevel.Information, "Reachability: {Reachability}; running as {Mode}")]
    public static partial void ReachabilityChanged(ILogger logger, string reachability, string mode);

    [LoggerMessage(22, LogLevel.Information, "Routing table has {Contacts} contacts: joining again from the seeds")]
    public static partial void Rebootstrapping(ILogger logger, int contacts);

    [LoggerMessage(23, LogLevel.Information, "The path to {Peer} is now {Path}")]
    public static partial void PeerPathChanged(ILogger logger, string peer, string path);

    [LoggerMessage(24, LogLevel.Warning, "Dropped packets of another network ({Count} so far, the last from {EndPoint}): a node there runs a different network than this one ({Network}); check --network / DhtNodeOptions.Network on both sides")]
    public static partial void WrongNetwork(ILogger logger, long count, EndPoint endPoint, string network);
}
