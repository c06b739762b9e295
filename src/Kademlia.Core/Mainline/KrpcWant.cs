namespace Kademlia.Mainline;

/// <summary>
/// The address families a <c>find_node</c> or <c>get_peers</c> asker wants nodes for (BEP 32, the
/// <c>want</c> list of <c>"n4"</c> and <c>"n6"</c>). None means "the family the query arrived over".
/// </summary>
[Flags]
public enum KrpcWant
{
    /// <summary>No <c>want</c> key: answer in the query's own family.</summary>
    None = 0,

    /// <summary><c>"n4"</c>: include <c>nodes</c>.</summary>
    Nodes4 = 1,

    /// <summary><c>"n6"</c>: include <c>nodes6</c>.</summary>
    Nodes6 = 2,
}
