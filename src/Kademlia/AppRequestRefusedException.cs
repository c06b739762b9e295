using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia;

/// <summary>
/// A peer answered an application request (<see cref="DhtNode.RequestAsync"/>) with a refusal instead of its
/// application's answer: nothing receives on the channel there, it is over its rate, or it does not speak
/// application messages.
/// </summary>
public sealed class AppRequestRefusedException : Exception
{
    /// <summary>Builds the exception.</summary>
    /// <param name="peer">The node asked.</param>
    /// <param name="channel">The channel asked on.</param>
    /// <param name="reason">The ERROR code it answered.</param>
    public AppRequestRefusedException(NodeId peer, string channel, ErrorCode reason)
        : base(Describe(peer, channel, reason))
    {
        Peer = peer;
        Channel = channel;
        Reason = reason;
    }

    /// <summary>The node asked.</summary>
    public NodeId Peer { get; }

    /// <summary>The channel asked on.</summary>
    public string Channel { get; }

    /// <summary>
    /// Why: <see cref="ErrorCode.NoSuchChannel"/> (nothing receives on the channel at that node: retrying will
    /// not help until something does), <see cref="ErrorCode.RateLimited"/> (it, or its application's queue, is
    /// full: try later), <see cref="ErrorCode.UnsupportedRequest"/> (it runs a version without application messages).
    /// </summary>
    public ErrorCode Reason { get; }

    private static string Describe(NodeId peer, string channel, ErrorCode reason) => reason switch
    {
        ErrorCode.NoSuchChannel => $"Node {peer.ToShortString()} has nothing receiving on channel '{channel}'.",
        ErrorCode.RateLimited => $"Node {peer.ToShortString()} refused the request on channel '{channel}': over its rate limit or its application's queue is full; try again later.",
        ErrorCode.UnsupportedRequest => $"Node {peer.ToShortString()} does not support application messages.",
        _ => $"Node {peer.ToShortString()} refused the request on channel '{channel}' ({reason}).",
    };
}
