using System.Buffers.Binary;
using System.Net;
using Kademlia.Identity;
using Kademlia.Sessions;
using Kademlia.Sessions.Noise;
using Kademlia.Tests.Wire;
using Kademlia.Wire;

namespace Kademlia.Tests.Sessions;

/// <summary>
/// A random source that serves scripted values by draw size: every 4-byte draw (a session index) takes the next
/// scripted index, every 32-byte draw (an ephemeral private key) the next scripted key. Draws of other sizes,
/// draws beyond the script, and any draw before <see cref="Arm"/> (the cookie master secret drawn by the
/// constructor) come from a seeded generator. Serving by size keeps the vectors independent of the order in which the manager draws.
/// </summary>
internal sealed class ScriptedRandomSource(int seed) : IRandomSource
{
    private readonly Random _fallback = new(seed);
    private readonly Queue<byte[]> _indexes = new();
    private readonly Queue<byte[]> _keys = new();
    private bool _armed;

    public void Arm(IEnumerable<uint> indexes, IEnumerable<byte[]> ephemeralKeys)
    {
        foreach (var index in indexes)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, index); // indexes are read little-endian
            _indexes.Enqueue(bytes);
        }

        foreach (var key in ephemeralKeys)
        {
            _keys.Enqueue(key);
        }

        _armed = true;
    }

    public void Fill(Span<byte> destination)
    {
        var queue = !_armed ? null : destination.Length switch
        {
            4 => _indexes,
            32 => _keys,
            _ => null,
        };

        if (queue is not null && queue.TryDequeue(out var next))
        {
            next.CopyTo(destination);
        }
        else
        {
            _fallback.NextBytes(destination);
        }
    }
}

/// <summary>
/// The fixed inputs of the first-contact vectors (docs/PROTOCOL.md, "First contact"): node A meets node B with
/// IK, A's PING riding in the initiation and B's PONG in the response, then one FIND_NODE / NODES exchange as
/// transport data.
/// </summary>
internal static class FirstContactVectors
{
    public const uint InitiatorIndex = 0x12345678;
    public const uint ResponderIndex = 0x9ABCDEF0;
    public const ulong PingRequestId = 0x0123456789ABCDEF;
    public const ulong FindNodeRequestId = 0xFEDCBA9876543210;

    /// <summary>2026-01-01T00:00:00Z: the initiation carries TAI64N 2^62 + 1767225600 s, 0 ns.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds((long)WireVectors.PublishedAt);

    public static readonly uint NetworkId = NetworkParameters.Test.NetworkId;

    /// <summary>Initiator ephemeral private key: the bytes 0x00, 0x01, ..., 0x1f.</summary>
    public static readonly byte[] InitiatorEphemeral = [.. Enumerable.Range(0x00, 32).Select(i => (byte)i)];

    /// <summary>Responder ephemeral private key: the bytes 0x20, 0x21, ..., 0x3f.</summary>
    public static readonly byte[] ResponderEphemeral = [.. Enumerable.Range(0x20, 32).Select(i => (byte)i)];

    public static readonly IPEndPoint EndPointA = IPEndPoint.Parse(WireVectors.EndpointA.ToString());
    public static readonly IPEndPoint EndPointB = IPEndPoint.Parse(WireVectors.EndpointB.ToString());

    public static readonly Message Ping = new PingRequest(PingRequestId);

    /// <summary>B tells A where A's packet came from.</summary>
    public static readonly Message Pong = new PongResponse(PingRequestId, WireVectors.EndpointA);

    /// <summary>A looks up its own ID, as a joining node does.</summary>
    public static readonly Message FindNode = new FindNodeRequest(FindNodeRequestId, WireVectors.A.Id);

    public static readonly Message Nodes = new NodesResponse(FindNodeRequestId, [WireVectors.ContactA, WireVectors.ContactB]);

    public static SessionIdentity IdentityA() => SessionIdentity.FromEd25519Seed(Convert.FromHexString(WireVectors.SeedA), WireVectors.NonceA);

    public static SessionIdentity IdentityB() => SessionIdentity.FromEd25519Seed(Convert.FromHexString(WireVectors.SeedB), WireVectors.NonceB);

    /// <summary>A responder (B) ready for the initiation vector: its ephemeral key and index are the fixed ones.</summary>
    public static SessionManager Responder(SessionIdentity identity)
    {
        var random = new ScriptedRandomSource(2);
        var manager = new SessionManager(identity, new SessionOptions { NetworkId = NetworkId }, random);
        random.Arm([ResponderIndex], [ResponderEphemeral]);
        return manager;
    }

    /// <summary>Runs the whole exchange from the fixed inputs and returns every value published, in order.</summary>
    public static List<(string Name, byte[] Bytes)> Generate()
    {
        using var identityA = IdentityA();
        using var identityB = IdentityB();
        var randomA = new ScriptedRandomSource(1);
        using var a = new SessionManager(identityA, new SessionOptions { NetworkId = NetworkId }, randomA);
        randomA.Arm([InitiatorIndex], [InitiatorEphemeral]);
        using var b = Responder(identityB);

        var values = new List<(string, byte[])>
        {
            ("x25519_public_a", identityA.StaticPublicKey.ToArray()),
            ("x25519_public_b", identityB.StaticPublicKey.ToArray()),
            ("ephemeral_public_a", PublicKeyOf(InitiatorEphemeral)),
            ("ephemeral_public_b", PublicKeyOf(ResponderEphemeral)),
        };

        var prologue = new byte[PacketFormat.PrologueSize];
        PacketFormat.WritePrologue(prologue, NetworkId);
        values.Add(("prologue", prologue));
        var timestamp = new byte[Tai64N.Size];
        Tai64N.FromDateTimeOffset(Now).Write(timestamp);
        values.Add(("timestamp", timestamp));

        var packet = new byte[PacketFormat.MaxPacketSize];
        var plain = new byte[PacketFormat.MaxPacketSize];

        // 1. A -> B: IK initiation carrying PING (padded for the default expected answer).
        var ping = MessageCodec.Encode(Ping);
        var initiation = a.InitiateIk(Now, identityB.Key, EndPointB, ping, packet);
        Require(initiation.Status == SealStatus.Sealed, "initiation");
        var initiationBytes = packet[..initiation.Length];
        var delivered = b.HandleDatagram(Now, EndPointA, initiationBytes, plain);
        Require(delivered.Outcome == DatagramOutcome.FirstRequest && plain.AsSpan(0, delivered.Length).SequenceEqual(ping), "PING delivery");

        // 2. B -> A: IK response carrying PONG.
        var pong = MessageCodec.Encode(Pong);
        var response = b.Respond(Now, delivered.Handshake, pong, packet);
        Require(response.Status == SealStatus.Sealed, "response");
        var responseBytes = packet[..response.Length];
        var answered = a.HandleDatagram(Now, EndPointB, responseBytes, plain);
        Require(answered.Outcome == DatagramOutcome.FirstAnswer && plain.AsSpan(0, answered.Length).SequenceEqual(pong), "PONG delivery");

        // 3. A -> B: FIND_NODE as transport data (A's counter 0).
        var findNode = MessageCodec.Encode(FindNode);
        var sealedFind = a.SealTo(Now, identityB.Key, findNode, packet);
        Require(sealedFind.Status == SealStatus.Sealed, "FIND_NODE seal");
        var findBytes = packet[..sealedFind.Length];
        var opened = b.HandleDatagram(Now, EndPointA, findBytes, plain);
        Require(opened.Outcome == DatagramOutcome.Data && plain.AsSpan(0, opened.Length).SequenceEqual(findNode), "FIND_NODE delivery");

        // 4. B -> A: NODES as transport data (B's counter 0).
        var nodes = MessageCodec.Encode(Nodes);
        var sealedNodes = b.SealTo(Now, identityA.Key, nodes, packet);
        Require(sealedNodes.Status == SealStatus.Sealed, "NODES seal");
        var nodesBytes = packet[..sealedNodes.Length];
        var received = a.HandleDatagram(Now, EndPointB, nodesBytes, plain);
        Require(received.Outcome == DatagramOutcome.Data && plain.AsSpan(0, received.Length).SequenceEqual(nodes), "NODES delivery");

        values.Add(("ping_request", ping));
        values.Add(("pong_answer", pong));
        values.Add(("find_node_request", findNode));
        values.Add(("nodes_answer", nodes));
        values.Add(("ik_initiation", initiationBytes));
        values.Add(("ik_response", responseBytes));
        values.Add(("transport_find_node", findBytes));
        values.Add(("transport_nodes", nodesBytes));
        return values;
    }

    private static byte[] PublicKeyOf(byte[] privateKey)
    {
        using var key = Dh25519.ImportPrivateKey(privateKey);
        return key.PublicKey.ToArray();
    }

    private static void Require(bool condition, string step)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The first-contact exchange failed at: {step}.");
        }
    }
}
