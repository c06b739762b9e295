namespace Kademlia.Mainline;

/// <summary>
/// What a KRPC message carries: a <see cref="KrpcQuery"/> (<c>y = q</c>), a <see cref="KrpcResponse"/>
/// (<c>y = r</c>) or a <see cref="KrpcError"/> (<c>y = e</c>). The set is closed.
/// </summary>
public abstract record KrpcBody
{
    private protected KrpcBody()
    {
    }
}
