using System.Net;
using BenchmarkDotNet.Attributes;
using Kademlia.Sessions;

namespace Kademlia.Benchmarks;

/// <summary>The session layer's costs: a transport packet each way, a first contact, and a repeat handshake.</summary>
[MemoryDiagnoser]
public class SessionBenchmarks : IDisposable
{
    /// <summary>First contacts per iteration: each needs a fresh pair of managers, built outside the measurement.</summary>
    private const int ContactsPerIteration = 64;

    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly byte[] _payload = new byte[256];
    private readonly byte[] _packet = new byte[1280];
    private readonly byte[] _opened = new byte[1280];
    private readonly IPEndPoint _addressA = IPEndPoint.Parse("10.0.0.1:4000");
    private readonly IPEndPoint _addressB = IPEndPoint.Parse("10.0.0.2:4000");
    private readonly SessionOptions _options = new() { NetworkId = 1 };
    private readonly Queue<(SessionManager A, SessionManager B)> _fresh = new();
    private readonly List<(SessionManager A, SessionManager B)> _used = [];
    private SessionIdentity _identityA = null!;
    private SessionIdentity _identityB = null!;
    private SessionManager _a = null!;
    private SessionManager _b = null!;
    private DateTimeOffset _now = Start;

    [GlobalSetup]
    public void Setup()
    {
        _identityA = SessionIdentity.FromEd25519Seed(Enumerable.Repeat((byte)1, 32).ToArray(), 1);
        _identityB = SessionIdentity.FromEd25519Seed(Enumerable.Repeat((byte)2, 32).ToArray(), 2);
        _a = new SessionManager(_identityA, _options);
        _b = new SessionManager(_identityB, _options);
        Handshake(_a, _b, _now);
    }

    [IterationSetup(Target = nameof(IkFirstContact))]
    public void CreateStrangers()
    {
        for (int i = 0; i < ContactsPerIteration; i++)
        {
            _fresh.Enqueue((new SessionManager(_identityA, _options), new SessionManager(_identityB, _options)));
        }
    }

    [IterationCleanup(Target = nameof(IkFirstContact))]
    public void DisposeStrangers()
    {
        foreach (var (a, b) in _used.Concat(_fresh))
        {
            a.Dispose();
            b.Dispose();
        }

        _used.Clear();
        _fresh.Clear();
    }

    /// <summary>Seal 256 bytes on one side and open them on the other.</summary>
    [Benchmark]
    public int SealAndOpen256()
    {
        var sealedPacket = _a.SealTo(Start, _identityB.Key, _payload, _packet);
        return _b.HandleDatagram(Start, _addressA, _packet.AsSpan(0, sealedPacket.Length), _opened).Length;
    }

    /// <summary>
    /// A complete IK first contact between two managers that have never met (nothing cached): initiation,
    /// responder processing and answer, initiator processing. The managers are built in the iteration setup.
    /// </summary>
    [Benchmark]
    [InvocationCount(ContactsPerIteration)]
    public int IkFirstContact()
    {
        var pair = _fresh.Dequeue();
        _used.Add(pair);
        return Handshake(pair.A, pair.B, Start);
    }

    /// <summary>The same exchange between peers that already know each other (a rekey carrying a request).</summary>
    [Benchmark]
    public int IkHandshakeKnownPeer()
    {
        _now += TimeSpan.FromMilliseconds(1);
        return Handshake(_a, _b, _now);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        DisposeStrangers();
        _a?.Dispose();
        _b?.Dispose();
        _identityA?.Dispose();
        _identityB?.Dispose();
        GC.SuppressFinalize(this);
    }

    private int Handshake(SessionManager a, SessionManager b, DateTimeOffset now)
    {
        var initiation = a.InitiateIk(now, _identityB.Key, _addressB, "find_node"u8, _packet, expectedAnswerSize: 256);
        var request = b.HandleDatagram(now, _addressA, _packet.AsSpan(0, initiation.Length), _opened);
        var response = b.Respond(now, request.Handshake, _payload, _packet);
        return a.HandleDatagram(now, _addressB, _packet.AsSpan(0, response.Length), _opened).Length;
    }
}
