using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>The CLIENT flag of PROTOCOL.md ("The CLIENT flag"): set by clients, honoured by receivers.</summary>
public sealed class ClientFlagTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly RawPeer _peer = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);

    public void Dispose()
    {
        _identity.Dispose();
        _peer.Dispose();
    }

    private KademliaEngine Engine(NodeMode mode) =>
        new(_identity, new EngineOptions { Network = Network, Mode = mode, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    [Theory]
    [InlineData(NodeMode.Client, true)]
    [InlineData(NodeMode.Server, false)]
    public void A_client_marks_its_requests_and_a_server_does_not(NodeMode mode, bool flagged)
    {
        using var engine = Engine(mode);
        engine.Ping(_now, _peer.Info);
        Assert.IsType<PingRequest>(Assert.Single(_peer.Collect(engine, EngineEndPoint, _now)));
        Assert.Equal(flagged, _peer.LastRequestWasFromClient);
        Assert.Equal(mode == NodeMode.Client, engine.IsClient);
    }

    [Fact]
    public void A_server_keeps_a_flagged_sender_out_of_its_table_and_drops_it_when_it_turns_client()
    {
        using var engine = Engine(NodeMode.Server);
        _peer.Join(engine, EngineEndPoint, _now, 1);
        Assert.NotNull(engine.Routing.Find(_peer.Identity.Id));

        var flaggedPing = MessageCodec.Encode(new PingRequest(3));
        flaggedPing[0] |= 0x40;
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var sealedPing = _peer.Manager.SealTo(_now, new PeerKey(engine.Identity.PublicKey), flaggedPing, buffer);
        engine.HandleDatagram(_now, _peer.EndPoint, buffer.AsSpan(0, sealedPing.Length));

        Assert.IsType<PongResponse>(Assert.Single(_peer.Collect(engine, EngineEndPoint, _now))); // still served
        Assert.Null(engine.Routing.Find(_peer.Identity.Id));
        Assert.Contains(DrainEvents(engine), e => e is ContactEvicted evicted && evicted.Contact.Id == _peer.Identity.Id);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_node_without_an_advertised_endpoint_is_a_server_once_peers_agree_on_one_of_its_own_addresses(bool ownAddress, bool stillClient)
    {
        var local = IPAddress.Parse("198.51.100.1");
        using var engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, LocalAddresses = ownAddress ? [local] : [] });
        Assert.True(engine.IsClient); // nothing advertised, nothing agreed: probably behind a NAT

        var peers = Enumerable.Range(0, 3).Select(i => new RawPeer(NodeIdentity.Generate(Network), Network.NetworkId, 6000 + i)).ToList();
        try
        {
            foreach (var peer in peers)
            {
                peer.Join(engine, EngineEndPoint, _now, (ulong)(10 * (peers.IndexOf(peer) + 1)));
            }

            engine.HandleTimeout(_now); // address discovery pings its contacts
            var pinged = 0;
            while (engine.PollTransmit(out var transmit))
            {
                var peer = peers.Single(p => p.EndPoint.Equals(transmit.Destination));
                if (peer.Receive(engine, EngineEndPoint, _now, transmit.Packet) is PingRequest ping)
                {
                    pinged++;
                    peer.Answer(engine, _now, new PongResponse(ping.RequestId, NodeEndpoint.FromIPEndPoint(new IPEndPoint(local, 4000))));
                }
            }

            Assert.Equal(3, pinged);

            Assert.Equal(NodeEndpoint.FromIPEndPoint(new IPEndPoint(local, 4000)), engine.ExternalEndpoint);
            Assert.Equal(stillClient, engine.IsClient);
        }
        finally
        {
            peers.ForEach(p => p.Dispose());
        }
    }

    private static List<EngineEvent> DrainEvents(KademliaEngine engine)
    {
        var events = new List<EngineEvent>();
        while (engine.PollEvent(out var e))
        {
            events.Add(e!);
        }

        return events;
    }
}
