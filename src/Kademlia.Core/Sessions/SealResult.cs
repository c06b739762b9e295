using System.Net;

namespace Kademlia.Sessions;

/// <summary>The result of sealing, initiating or responding.</summary>
/// <param name="Status">Whether a packet was produced.</param>
/// <param name="Length">Bytes of the packet in the destination.</param>
/// <param name="EndPoint">Where to send it.</param>
internal readonly record struct SealResult(SealStatus Status, int Length, EndPoint? EndPoint)
{
    /// <summary>A failure without a packet.</summary>
    public static SealResult Fail(SealStatus status) => new(status, 0, null);
}
