using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Benchmarks;

/// <summary>
/// The hottest message: a NODES answer with twenty IPv6 contacts (1190 bytes), as every lookup step
/// receives. Encoding must not allocate; decoding allocates only the message and its contact array.
/// </summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private readonly byte[] _buffer = new byte[WireLimits.MaxMessageSize];
    private NodesResponse _nodes = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var contacts = ImmutableArray.CreateBuilder<WireContact>();
        Span<byte> key = stackalloc byte[NodePublicKey.Size];
        Span<byte> address = stackalloc byte[16];
        for (var i = 0; i < WireLimits.MaxContacts; i++)
        {
            random.NextBytes(key);
            random.NextBytes(address);
            address[0] = 0x20;
            contacts.Add(new WireContact(new NodePublicKey(key), (ulong)random.NextInt64(), NodeEndpoint.FromIPv6(address, 6881)));
        }

        _nodes = new NodesResponse(0x0123456789ABCDEF, contacts.ToImmutable());
        _encoded = MessageCodec.Encode(_nodes);
    }

    [Benchmark]
    public int EncodeNodes()
    {
        MessageCodec.TryWrite(_buffer, _nodes, out var written);
        return written;
    }

    [Benchmark]
    public Message? DecodeNodes()
    {
        MessageCodec.TryRead(_encoded, out var message);
        return message;
    }

    [Benchmark]
    public Message? EncodeThenDecodeNodes()
    {
        MessageCodec.TryWrite(_buffer, _nodes, out var written);
        MessageCodec.TryRead(_buffer.AsSpan(0, written), out var message);
        return message;
    }
}
