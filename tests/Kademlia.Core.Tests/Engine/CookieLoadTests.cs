using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>docs/PROTOCOL.md, "Cookie reply": what "under load" means in this implementation.</summary>
public sealed class CookieLoadTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;
    private readonly RawPeer _peer = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);
    private readonly byte[] _buffer = new byte[PacketFormat.MaxPacketSize];

    public CookieLoadTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _peer.Dispose();
    }

    [Fact]
    public void One_source_above_the_handshake_rate_turns_cookie_replies_on_for_every_source_until_the_hold_time_has_passed()
    {
        Assert.Equal(PacketType.IkResponse, AnswerToInitiation());

        // 50 per second with a burst of 100, counted per source (IP and port on loopback): at one instant the
        // 101st message 1 of one source is over the rate.
        var flooder = new IPEndPoint(IPAddress.Loopback, 6000);
        byte[] junk = [1, (byte)PacketType.IkInitiation, 0, 0, 0, 0];
        for (int i = 0; i < 100; i++)
        {
            _engine.HandleDatagram(_now, flooder, junk);
        }

        Assert.Equal(0, _engine.Statistics.Drops.GetValueOrDefault("engine.RateLimited"));
        Assert.Equal(PacketType.IkResponse, AnswerToInitiation()); // not yet under load
        _engine.HandleDatagram(_now, flooder, junk);
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("engine.RateLimited"));

        // Now another source, within its own rate, is asked for a cookie: the load is the node's, not the source's.
        Assert.Equal(PacketType.CookieReply, AnswerToInitiation());
        Assert.Equal(PacketType.CookieReply, AnswerToInitiation());

        // Hysteresis: a timer pass does not clear it (before, every timer pass did, so a flood paced around the
        // timer never met a cookie); it ends once the hold time has passed with the load low.
        var hold = new EngineOptions().HandshakeLoadHold;
        _engine.HandleTimeout(_now + hold - TimeSpan.FromSeconds(1));
        Drain();
        Assert.Equal(PacketType.CookieReply, AnswerToInitiation(_now + hold - TimeSpan.FromSeconds(1)));

        _engine.HandleTimeout(_now + hold);
        Drain();
        Assert.Equal(PacketType.IkResponse, AnswerToInitiation(_now + hold));
    }

    private void Drain()
    {
        while (_engine.PollTransmit(out _))
        {
            // a timer pass starts maintenance (bucket refresh) and sends its requests; not what is tested here
        }
    }

    private PacketType AnswerToInitiation(DateTimeOffset? at = null)
    {
        var now = at ?? _now;
        var initiation = _peer.Manager.InitiateIk(now, new PeerKey(_engine.Identity.PublicKey), EngineEndPoint, MessageCodec.Encode(new PingRequest(1)), _buffer);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        _engine.HandleDatagram(now, _peer.EndPoint, _buffer.AsSpan(0, initiation.Length));
        // The answer to the initiation comes first; the engine may follow it with requests of its own.
        Assert.True(_engine.PollTransmit(out var transmit));
        var types = new List<PacketType> { (PacketType)transmit.Packet[1] };
        while (_engine.PollTransmit(out var more))
        {
            types.Add((PacketType)more.Packet[1]);
        }

        Assert.DoesNotContain(PacketType.CookieReply, types.Skip(1));
        return types[0];
    }
}
