using System.Net;
using BenchmarkDotNet.Attributes;
using Kademlia.Sessions;

namespace Kademlia.Benchmarks;

/// <summary>The session layer's two costs: a transport packet each way, and a first contact.</summary>
[MemoryDiagnoser]
public class SessionBenchmarks : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly byte[] _payload = new byte[256];
    private readonly byte[] _packet = new byte[1280];
    private readonly byte[] _opened = new byte[1280];
    private readonly IPEndPoint _addressA = IPEndPoint.Parse("10.0.0.1:4000");
    private readonly IPEndPoint _addressB = IPEndPoint.Parse("10.0.0.2:4000");
    private SessionIdentity _identityA = null!;
    private SessionIdentity _identityB = null!;
    private SessionManager _a = null!;
    private SessionManager _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        _identityA = SessionIdentity.FromEd25519Seed(Enumerable.Repeat((byte)1, 32).ToArray(), 1);
        _identityB = SessionIdentity.FromEd25519Seed(Enumerable.Repeat((byte)2, 32).ToArray(), 2);
        (_a, _b) = Connect();
    }

    /// <summary>Seal 256 bytes on one side and open them on the other.</summary>
    [Benchmark]
    public int SealAndOpen256()
    {
        var sealedPacket = _a.SealTo(Now, _identityB.Key, _payload, _packet);
        return _b.HandleDatagram(Now, _addressA, _packet.AsSpan(0, sealedPacket.Length), _opened).Length;
    }

    /// <summary>A complete IK first contact: initiation, responder processing and answer, initiator processing.</summary>
    [Benchmark]
    public int IkFirstContact()
    {
        var (a, b) = Connect();
        int sessions = a.SessionCount + b.SessionCount;
        a.Dispose();
        b.Dispose();
        return sessions;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _a?.Dispose();
        _b?.Dispose();
        _identityA?.Dispose();
        _identityB?.Dispose();
        GC.SuppressFinalize(this);
    }

    private (SessionManager A, SessionManager B) Connect()
    {
        var options = new SessionOptions { NetworkId = 1 };
        var a = new SessionManager(_identityA, options);
        var b = new SessionManager(_identityB, options);
        var initiation = a.InitiateIk(Now, _identityB.Key, _addressB, "find_node"u8, _packet, expectedAnswerSize: 256);
        var request = b.HandleDatagram(Now, _addressA, _packet.AsSpan(0, initiation.Length), _opened);
        var response = b.Respond(Now, request.Handshake, _payload, _packet);
        a.HandleDatagram(Now, _addressB, _packet.AsSpan(0, response.Length), _opened);
        return (a, b);
    }
}
