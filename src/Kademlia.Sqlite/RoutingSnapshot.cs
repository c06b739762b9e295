using System.Buffers.Binary;
using System.Security.Cryptography;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Sqlite;

/// <summary>
/// Saves a routing table's contacts so that a restarted node can rejoin through them instead of only
/// through its bootstrap nodes. Loading returns <em>candidates</em>: like contacts learned from a
/// third party, each enters a table only after the engine has pinged it (verify before insert).
/// </summary>
/// <remarks>
/// <para>File format (all integers big-endian):</para>
/// <code>
/// magic        4  ASCII "KDRT"
/// version      1  1
/// network ID   4  the network the contacts belong to
/// count        4  entries, at most MaxEntries
/// entries         count × (contact: key 32 ‖ PoW nonce 8 ‖ family 1 ‖ address 4 or 16 ‖ port 2, as on the
///                 wire (docs/PROTOCOL.md, "Contacts") ‖ last seen 8, Unix milliseconds)
/// checksum    32  SHA-256 of everything before
/// </code>
/// <para>
/// <see cref="Save(string, NetworkParameters, IEnumerable{SavedContact})"/> writes a temporary file and
/// renames it over the old one, so a crash leaves either snapshot whole. <see cref="Load"/> never
/// changes the file: a damaged one is reported with a <see cref="DataFileException"/> and left for the
/// operator (the next save replaces it, since a snapshot is only a cache of the network).
/// </para>
/// </remarks>
public static class RoutingSnapshot
{
    /// <summary>Most entries in a snapshot: far more than a table holds (256 buckets of k).</summary>
    public const int MaxEntries = 65_536;

    private const byte FormatVersion = 1;
    private const int HeaderSize = 4 + 1 + 4 + 4;
    private const int ChecksumSize = 32;

    private static ReadOnlySpan<byte> Magic => "KDRT"u8;

    /// <summary>Saves every contact of <paramref name="table"/> with its last-seen time.</summary>
    public static void Save(string path, RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Save(path, table.Network, table.Contacts.Select(c => new SavedContact(c.ToNodeInfo(), c.LastSeen)));
    }

    /// <summary>Saves <paramref name="contacts"/> (at most <see cref="MaxEntries"/>) as belonging to <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxEntries"/> contacts.</exception>
    public static void Save(string path, NetworkParameters network, IEnumerable<SavedContact> contacts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(contacts);
        var list = contacts.ToList();
        if (list.Count > MaxEntries)
        {
            throw new ArgumentException($"A snapshot holds at most {MaxEntries} contacts, not {list.Count}.", nameof(contacts));
        }

        var size = HeaderSize + list.Sum(c => WireContact.FromNodeInfo(c.Node).EncodedSize + sizeof(long)) + ChecksumSize;
        var bytes = new byte[size];
        Magic.CopyTo(bytes);
        bytes[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), network.NetworkId);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), list.Count);
        var offset = HeaderSize;
        foreach (var contact in list)
        {
            MessageCodec.TryWriteContact(bytes.AsSpan(offset), WireContact.FromNodeInfo(contact.Node), out var written);
            offset += written;
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(offset), contact.LastSeen.ToUnixTimeMilliseconds());
            offset += sizeof(long);
        }

        SHA256.HashData(bytes.AsSpan(0, offset), bytes.AsSpan(offset));

        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>
    /// The saved contacts of <paramref name="network"/>, or none when there is no snapshot. Contacts
    /// whose ID does not meet the network's proof-of-work are left out.
    /// </summary>
    /// <exception cref="DataFileException">The file is not a snapshot, is damaged, or belongs to another network; it is left as it was.</exception>
    public static IReadOnlyList<SavedContact> Load(string path, NetworkParameters network)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        if (!File.Exists(path))
        {
            return [];
        }

        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            const long largest = HeaderSize + ((long)MaxEntries * (WireContact.IPv6Size + sizeof(long))) + ChecksumSize;
            if (stream.Length > largest)
            {
                throw new DataFileException(path, DataFileError.UnknownFormat, "not a routing snapshot (too large).");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new DataFileException(path, DataFileError.UnknownFormat, "not a routing snapshot.");
        }

        if (bytes.Length < HeaderSize + ChecksumSize)
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the routing snapshot is truncated.");
        }

        if (bytes[4] != FormatVersion)
        {
            throw new DataFileException(path, DataFileError.UnsupportedVersion, $"routing snapshot version {bytes[4]} is not supported.");
        }

        var body = bytes.AsSpan(0, bytes.Length - ChecksumSize);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(body.Length)))
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the routing snapshot's checksum does not match: it is damaged.");
        }

        var networkId = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
        if (networkId != network.NetworkId)
        {
            throw new DataFileException(path, DataFileError.OtherNetwork,
                $"the routing snapshot belongs to network {networkId:x8}, not '{network.Name}' ({network.NetworkId:x8}).");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(9));
        if (count is < 0 or > MaxEntries)
        {
            throw new DataFileException(path, DataFileError.Corrupt, $"the routing snapshot claims {count} entries.");
        }

        var contacts = new List<SavedContact>(count);
        var rest = body[HeaderSize..];
        for (var i = 0; i < count; i++)
        {
            if (MessageCodec.TryReadContact(rest, out var contact, out var read) != DecodeError.None || rest.Length - read < sizeof(long))
            {
                throw new DataFileException(path, DataFileError.Corrupt, $"entry {i} of the routing snapshot does not decode.");
            }

            var lastSeen = BinaryPrimitives.ReadInt64BigEndian(rest[read..]);
            rest = rest[(read + sizeof(long))..];
            if (lastSeen < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || lastSeen > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                throw new DataFileException(path, DataFileError.Corrupt, $"entry {i} of the routing snapshot has an impossible time.");
            }

            var node = contact.ToNodeInfo();
            if (node.MeetsProofOfWork(network))
            {
                contacts.Add(new SavedContact(node, DateTimeOffset.FromUnixTimeMilliseconds(lastSeen)));
            }
        }

        if (!rest.IsEmpty)
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the routing snapshot has bytes after its last entry.");
        }

        return contacts;
    }
}
