using System.Text;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace GameLobby;

/// <summary>
/// The lobby over a DHT, with no server: a topic whose providers are the open tables. A host behind a NAT
/// names its rendezvous points in its provider record (the node does it), so whoever finds the table can
/// reach the host: punched through both NATs where they allow it, relayed by a rendezvous where not.
/// </summary>
internal static class Lobby
{
    /// <summary>Every tic-tac-toe table of the main lobby is announced under this topic.</summary>
    public static readonly NodeId Topic = NodeId.Hash("gamelobby:tic-tac-toe"u8);

    /// <summary>The topic of the lobby called <paramref name="name"/>: <see cref="Topic"/> for none, else a topic of its own (a tournament, a group of friends).</summary>
    public static NodeId TopicOf(string? name) =>
        string.IsNullOrEmpty(name) ? Topic : NodeId.Hash(Encoding.UTF8.GetBytes($"gamelobby:tic-tac-toe:{name}"));

    /// <summary>The application channel the players talk on (docs/PROTOCOL.md, "Application messages").</summary>
    public const string Channel = "tictactoe/1";

    /// <summary>Announces the host's node as a provider of <see cref="Topic"/> (or another lobby's topic), with a short description as the application data.</summary>
    public static Task<StoreResult> AnnounceAsync(DhtNode host, string description, CancellationToken cancellationToken, NodeId? topic = null) =>
        host.AnnounceAsync(topic ?? Topic, Encoding.UTF8.GetBytes(description), cancellationToken);

    /// <summary>The tables announced under <see cref="Topic"/> (or another lobby's topic), as they are found.</summary>
    public static async IAsyncEnumerable<TableListing> ListAsync(DhtNode node, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, NodeId? topic = null)
    {
        await foreach (var provider in node.FindProvidersAsync(topic ?? Topic, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new TableListing(provider, Encoding.UTF8.GetString(provider.ApplicationData.Span));
        }
    }
}

/// <summary>An open table as the lobby lists it.</summary>
/// <param name="Provider">The host's provider record: its contact and, behind a NAT, its rendezvous points.</param>
/// <param name="Description">What the host wrote about it.</param>
internal sealed record TableListing(ProviderRecord Provider, string Description)
{
    /// <summary>How the host can be reached, as its record says.</summary>
    public string Reach => Provider.Rendezvous.IsEmpty
        ? $"reachable at {Provider.Provider.Endpoint}"
        : $"a client, reached through its {Provider.Rendezvous.Length} rendezvous points";
}
