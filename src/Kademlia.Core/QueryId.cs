using Kademlia.Engine;

namespace Kademlia;

/// <summary>Names one operation started on a <see cref="KademliaEngine"/>; events carry it back.</summary>
/// <param name="Value">A number unique within one engine.</param>
public readonly record struct QueryId(long Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"q{Value}";
}
