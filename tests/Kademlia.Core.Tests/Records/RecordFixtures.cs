using System.Security.Cryptography;
using System.Text;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Tests.Records;

/// <summary>
/// Records for store tests, signed by fixed identities. Shared with <c>Kademlia.Sqlite.Tests</c>
/// (linked), which runs the same contract against the SQLite store.
/// </summary>
internal static class RecordFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly NodeId Self = NodeId.Hash("self"u8);
    public static readonly NodeId SourceA = NodeId.Hash("source a"u8);
    public static readonly NodeId SourceB = NodeId.Hash("source b"u8);

    private static readonly NodeIdentity[] Identities = [.. Enumerable.Range(0, 8).Select(Identity)];

    public static NodeIdentity Publisher(int index) => Identities[index];

    /// <summary>An immutable record of the 7-byte value "value i" (i below 10), 10 bytes as counted by the byte quota.</summary>
    public static ImmutableRecord Immutable(int index) => ImmutableRecord.Create(Encoding.ASCII.GetBytes($"value {index}"));

    public static MutableRecord Mutable(int publisher, ulong sequence, string value, string salt = "salt") =>
        MutableRecord.Create(Identities[publisher], Encoding.ASCII.GetBytes(salt), sequence, Encoding.ASCII.GetBytes(value));

    public static NodeId Topic(string name) => NodeId.Hash(Encoding.ASCII.GetBytes(name));

    public static ProviderRecord Provider(int provider, NodeId topic, ulong publishedAt, string data = "") =>
        ProviderRecord.Create(Identities[provider], topic, NodeEndpoint.FromIPv4(0xC0000201, (ushort)(6000 + provider)), publishedAt, Encoding.ASCII.GetBytes(data));

    private static NodeIdentity Identity(int index) =>
        NodeIdentity.FromPrivateSeed(SHA256.HashData(Encoding.ASCII.GetBytes($"record fixture {index}")), 0);
}
