namespace Kademlia.Mainline;

/// <summary>
/// A KRPC query: a method name <c>q</c> and an argument dictionary <c>a</c> that always holds the asker's
/// node ID <c>id</c> (BEP 5). Each query type reads and writes its own arguments.
/// </summary>
/// <param name="Id">The querying node's ID.</param>
public abstract record KrpcQuery(MainlineId Id) : KrpcBody
{
    /// <summary>The method name, the value of <c>q</c>.</summary>
    public abstract string Method { get; }

    /// <summary>Adds the arguments other than <c>id</c> to <paramref name="arguments"/>.</summary>
    internal abstract void WriteArguments(Internal.KrpcEntries arguments);
}
