using System.Buffers.Binary;
using System.Security.Cryptography;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Wire;

namespace Kademlia.Sqlite;

/// <summary>
/// Saves the values and announcements a node publishes (<see cref="KademliaEngine.Published"/>), so that
/// a restarted node goes on republishing them (<see cref="KademliaEngine.Restore"/>) instead of letting
/// everything it published expire one TTL later.
/// </summary>
/// <remarks>
/// <para>File format (all integers big-endian):</para>
/// <code>
/// magic        4  ASCII "KDPB"
/// version      1  1
/// network ID   4  the network the records were published on
/// count        4  entries, at most MaxEntries
/// entries         count × (kind 1: 0 value, 1 announcement ‖ next republish 8, Unix milliseconds ‖
///                 value: length 2 ‖ kind byte and record as on the wire (docs/PROTOCOL.md, "Records")
///                 announcement: topic 32 ‖ length 1 ‖ application data)
/// checksum    32  SHA-256 of everything before
/// </code>
/// <para>
/// <see cref="Save"/> writes a temporary file, flushes it to disk and renames it over the old one, so a
/// crash (kill -9, power loss) leaves either list whole. <see cref="Load"/> never changes the file: a
/// damaged one is reported with a <see cref="DataFileException"/> and left for the operator. Unlike the
/// routing snapshot this is not a cache of the network but the node's own intent, so the daemon refuses
/// to start on a damaged list rather than overwrite it with an empty one.
/// </para>
/// </remarks>
public static class PublishedList
{
    /// <summary>Most entries in a list.</summary>
    public const int MaxEntries = 65_536;

    private const byte FormatVersion = 1;
    private const byte ValueEntry = 0;
    private const byte AnnouncementEntry = 1;
    private const int HeaderSize = 4 + 1 + 4 + 4;
    private const int ChecksumSize = 32;

    /// <summary>Largest entry: kind, time, length and the largest encoded record (well under a datagram).</summary>
    private const int MaxEntrySize = 1 + 8 + 2 + 1280;

    private static ReadOnlySpan<byte> Magic => "KDPB"u8;

    /// <summary>Saves <paramref name="published"/> (at most <see cref="MaxEntries"/>) as published on <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxEntries"/> entries.</exception>
    public static void Save(string path, NetworkParameters network, IReadOnlyCollection<PublishedRecord> published)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(published);
        if (published.Count > MaxEntries)
        {
            throw new ArgumentException($"A published list holds at most {MaxEntries} entries, not {published.Count}.", nameof(published));
        }

        using var buffer = new MemoryStream();
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        header[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], network.NetworkId);
        BinaryPrimitives.WriteInt32BigEndian(header[9..], published.Count);
        buffer.Write(header);
        Span<byte> fixedPart = stackalloc byte[1 + 8 + NodeId.Size + 2];
        foreach (var item in published)
        {
            fixedPart[0] = item.IsAnnouncement ? AnnouncementEntry : ValueEntry;
            BinaryPrimitives.WriteInt64BigEndian(fixedPart[1..], item.NextRepublish.ToUnixTimeMilliseconds());
            if (item.Value is { } value)
            {
                var record = MessageCodec.EncodeRecord(value);
                BinaryPrimitives.WriteUInt16BigEndian(fixedPart[9..], (ushort)record.Length);
                buffer.Write(fixedPart[..11]);
                buffer.Write(record);
            }
            else
            {
                item.Key.WriteTo(fixedPart[9..]);
                fixedPart[9 + NodeId.Size] = (byte)item.ApplicationData.Length;
                buffer.Write(fixedPart[..(10 + NodeId.Size)]);
                buffer.Write(item.ApplicationData.Span);
            }
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));

        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The saved list of <paramref name="network"/>, or an empty one when there is no file.</summary>
    /// <exception cref="DataFileException">The file is not a published list, is damaged, belongs to another network, or is a directory; it is left as it was.</exception>
    public static IReadOnlyList<PublishedRecord> Load(string path, NetworkParameters network)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        if (Directory.Exists(path))
        {
            // It could never be saved: the node would publish on, and lose it all at the next restart.
            throw new DataFileException(path, DataFileError.NotAFile, "the published list is a directory.");
        }

        if (!File.Exists(path))
        {
            return [];
        }

        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            const long largest = HeaderSize + ((long)MaxEntries * MaxEntrySize) + ChecksumSize;
            if (stream.Length > largest)
            {
                throw new DataFileException(path, DataFileError.UnknownFormat, "not a published list (too large).");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new DataFileException(path, DataFileError.UnknownFormat, "not a published list.");
        }

        if (bytes.Length < HeaderSize + ChecksumSize)
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the published list is truncated.");
        }

        if (bytes[4] != FormatVersion)
        {
            throw new DataFileException(path, DataFileError.UnsupportedVersion, $"published list version {bytes[4]} is not supported.");
        }

        var body = bytes.AsSpan(0, bytes.Length - ChecksumSize);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(body.Length)))
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the published list's checksum does not match: it is damaged.");
        }

        var networkId = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
        if (networkId != network.NetworkId)
        {
            throw new DataFileException(path, DataFileError.OtherNetwork,
                $"the published list belongs to network {networkId:x8}, not '{network.Name}' ({network.NetworkId:x8}).");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(9));
        if (count is < 0 or > MaxEntries)
        {
            throw new DataFileException(path, DataFileError.Corrupt, $"the published list claims {count} entries.");
        }

        var list = new List<PublishedRecord>(count);
        var rest = body[HeaderSize..];
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 1 + 8)
            {
                throw Damaged(path, i);
            }

            var kind = rest[0];
            var time = BinaryPrimitives.ReadInt64BigEndian(rest[1..]);
            if (time < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || time > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                throw Damaged(path, i);
            }

            var next = DateTimeOffset.FromUnixTimeMilliseconds(time);
            rest = rest[9..];
            if (kind == ValueEntry && rest.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(rest) is var length && rest.Length >= 2 + length
                && MessageCodec.TryReadRecord(rest.Slice(2, length), out var record) == DecodeError.None)
            {
                list.Add(PublishedRecord.ForValue(record!, next));
                rest = rest[(2 + length)..];
            }
            else if (kind == AnnouncementEntry && rest.Length >= NodeId.Size + 1 && rest[NodeId.Size] is var dataLength
                && dataLength <= RecordLimits.MaxApplicationDataSize && rest.Length >= NodeId.Size + 1 + dataLength)
            {
                list.Add(PublishedRecord.ForAnnouncement(new NodeId(rest[..NodeId.Size]), rest.Slice(NodeId.Size + 1, dataLength), next));
                rest = rest[(NodeId.Size + 1 + dataLength)..];
            }
            else
            {
                throw Damaged(path, i);
            }
        }

        if (!rest.IsEmpty)
        {
            throw new DataFileException(path, DataFileError.Corrupt, "the published list has bytes after its last entry.");
        }

        return list;
    }

    private static DataFileException Damaged(string path, int entry) =>
        new(path, DataFileError.Corrupt, $"entry {entry} of the published list does not decode.");
}
