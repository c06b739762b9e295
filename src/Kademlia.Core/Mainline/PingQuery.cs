namespace Kademlia.Mainline;

/// <summary>BEP 5 <c>ping</c>: no arguments beyond <c>id</c>; answered by a response carrying the answerer's <c>id</c>.</summary>
/// <param name="Id">The querying node's ID.</param>
public sealed record PingQuery(MainlineId Id) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"ping"</c>.</summary>
    public const string MethodName = "ping";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(Internal.KrpcEntries arguments)
    {
    }
}
