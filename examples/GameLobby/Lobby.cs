using System.Text;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Wire;

namespace GameLobby;

/// <summary>
/// The lobby over a DHT, with no server: a topic whose providers are the open tables, and one
/// mutable record per table holding its state.
/// </summary>
/// <remarks>
/// A table has a key pair of its own: the host creates it and hands it to whoever takes the other
/// seat (in a real game over a private channel; in this scripted session, in process). Both players
/// then sign the table's record, which is why every write is a compare-and-swap on the sequence it
/// was based on: of two moves made on the same state, exactly one is stored and the other player
/// is told to read again.
/// </remarks>
internal static class Lobby
{
    /// <summary>Every tic-tac-toe table is announced under this topic.</summary>
    public static readonly NodeId Topic = NodeId.Hash("gamelobby:tic-tac-toe"u8);

    /// <summary>The salt of a table's record among the records signed by the table key.</summary>
    private static readonly byte[] Salt = "table"u8.ToArray();

    /// <summary>
    /// Announces the host's node as a provider of <see cref="Topic"/>: the application data is the
    /// table's record key (32 bytes) followed by a short description, within the 128 bytes allowed.
    /// </summary>
    public static Task<StoreResult> AnnounceAsync(DhtNode host, NodeId tableKey, string description, CancellationToken cancellationToken)
    {
        var data = new byte[NodeId.Size + Encoding.UTF8.GetByteCount(description)];
        tableKey.WriteTo(data);
        Encoding.UTF8.GetBytes(description, data.AsSpan(NodeId.Size));
        return host.AnnounceAsync(Topic, data, cancellationToken);
    }

    /// <summary>The tables announced under <see cref="Topic"/>, as they are found.</summary>
    public static async IAsyncEnumerable<TableListing> ListAsync(DhtNode node, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var provider in node.FindProvidersAsync(Topic, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var data = provider.ApplicationData.Span;
            if (data.Length >= NodeId.Size)
            {
                yield return new TableListing(ContactString.Format(provider.Provider), new NodeId(data[..NodeId.Size]), Encoding.UTF8.GetString(data[NodeId.Size..]));
            }
        }
    }

    public static NodeId KeyOf(NodeIdentity table) => MutableRecord.KeyOf(table.PublicIdentity, Salt);

    /// <summary>The latest state of a table and its sequence, as the network holds it.</summary>
    public static async Task<(TableState State, ulong Sequence)> ReadAsync(DhtNode node, NodeId tableKey, CancellationToken cancellationToken)
    {
        var got = await node.GetAsync(tableKey, RecordKind.Mutable, cancellationToken).ConfigureAwait(false);
        return got.Record is MutableRecord record
            ? (TableState.Decode(record.Value.Span), record.Sequence)
            : throw new InvalidOperationException($"table {tableKey.ToShortString()} not found");
    }

    /// <summary>
    /// Writes <paramref name="state"/> as sequence <paramref name="basedOn"/> + 1, only where the
    /// stored sequence is still <paramref name="basedOn"/>. False when someone wrote first.
    /// </summary>
    public static async Task<bool> WriteAsync(DhtNode node, NodeIdentity table, TableState state, ulong basedOn, CancellationToken cancellationToken)
    {
        var record = MutableRecord.Create(table, Salt, basedOn + 1, state.Encode());
        var result = await node.PutAsync(record, expectedSequence: basedOn, cancellationToken).ConfigureAwait(false);
        var refused = result.Rejections.GetValueOrDefault(PutStatus.CasMismatch) + result.Rejections.GetValueOrDefault(PutStatus.StaleSequence);
        return result.Stored > 0 && refused == 0;
    }
}

/// <summary>An open table as the lobby lists it.</summary>
/// <param name="Host">The host node's contact string.</param>
/// <param name="TableKey">The key of the table's mutable record.</param>
/// <param name="Description">What the host wrote about it.</param>
internal sealed record TableListing(string Host, NodeId TableKey, string Description);
