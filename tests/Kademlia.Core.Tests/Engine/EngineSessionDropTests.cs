using System.Buffers.Binary;
using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Sessions;

namespace Kademlia.Tests.Engine;

/// <summary>What the engine does with datagrams its session layer drops: nothing sent, one count per reason.</summary>
public sealed class EngineSessionDropTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;

    public EngineSessionDropTests() => _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    public void An_XX_message_1_with_a_small_order_ephemeral_is_answered_with_nothing_and_counted_as_session_LowOrderKey(string point)
    {
        var message1 = new byte[PacketFormat.XxMessage1MinSize];
        PacketFormat.WriteHeader(message1, PacketType.XxMessage1, Network.NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(message1.AsSpan(PacketFormat.HeaderSize), 7);
        Convert.FromHexString(point).CopyTo(message1, PacketFormat.HeaderSize + PacketFormat.IndexSize);

        _engine.HandleDatagram(_now, new IPEndPoint(IPAddress.Parse("192.0.2.9"), 4000), message1);

        Assert.False(_engine.PollTransmit(out _));
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("session.LowOrderKey"));
        Assert.Equal(1, _engine.Statistics.TotalDrops);
    }
}
