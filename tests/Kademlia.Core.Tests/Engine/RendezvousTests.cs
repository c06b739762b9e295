using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>A server engine as a rendezvous, driven by hand-made peers that can lie about everything they send.</summary>
public sealed class RendezvousTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly RawPeer _client = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);
    private readonly RawPeer _requester = new(NodeIdentity.Generate(Network), Network.NetworkId, 5001);
    private readonly KademliaEngine _engine;

    public RendezvousTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, Mode = NodeMode.Server, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _client.Dispose();
        _requester.Dispose();
    }

    /// <summary>The client opens a session and sends a flagged PING on it, from its proven address.</summary>
    private void ClientKeepsASession()
    {
        _client.Join(_engine, EngineEndPoint, _now, 1);
        var flagged = MessageCodec.Encode(new PingRequest(3));
        flagged[0] |= 0x40;
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var sealedPing = _client.Manager.SealTo(_now, new PeerKey(_engine.Identity.PublicKey), flagged, buffer);
        _engine.HandleDatagram(_now, _client.EndPoint, buffer.AsSpan(0, sealedPing.Length));
        Assert.IsType<PongResponse>(Assert.Single(_client.Collect(_engine, EngineEndPoint, _now)));
    }

    /// <summary>Delivers what the engine sent to each of the two peers; returns what each received.</summary>
    private (List<Message> Client, List<Message> Requester) Route()
    {
        var (client, requester) = (new List<Message>(), new List<Message>());
        while (_engine.PollTransmit(out var transmit))
        {
            var (peer, received) = transmit.Destination.Equals(_client.EndPoint) ? (_client, client) : (_requester, requester);
            if (peer.Receive(_engine, EngineEndPoint, _now, transmit.Packet) is { } message)
            {
                received.Add(message);
            }
        }

        return (client, requester);
    }

    [Fact]
    public void A_punch_request_notifies_the_client_of_the_endpoint_the_request_came_from()
    {
        ClientKeepsASession();
        _requester.Join(_engine, EngineEndPoint, _now, 10);

        _requester.Send(_engine, EngineEndPoint, _now, new PunchRequest(20, _client.Identity.Id));
        var (toClient, toRequester) = Route();
        var ack = Assert.IsType<PunchAckResponse>(Assert.Single(toRequester));

        Assert.Equal(PunchStatus.Notified, ack.Status);
        Assert.Equal(new NodePublicKey(_client.Identity.PublicKey), ack.Target!.Value.PublicKey);
        Assert.Equal(NodeEndpoint.FromIPEndPoint(_client.EndPoint), ack.Target.Value.Endpoint);
        var notify = Assert.IsType<PunchNotifyRequest>(Assert.Single(toClient));
        Assert.Equal(new NodePublicKey(_requester.Identity.PublicKey), notify.Requester.PublicKey);
        Assert.Equal(NodeEndpoint.FromIPEndPoint(_requester.EndPoint), notify.Requester.Endpoint);
    }

    [Fact]
    public void A_punch_request_inside_a_first_handshake_message_is_answered_unproven_and_notifies_nobody()
    {
        ClientKeepsASession();

        // The initiation's source may be forged (a victim's address): nothing may be sent towards it but the small answer.
        var ack = Assert.IsType<PunchAckResponse>(_requester.Ask(_engine, EngineEndPoint, _now, new PunchRequest(20, _client.Identity.Id)));

        Assert.Equal(PunchStatus.Unproven, ack.Status);
        Assert.Null(ack.Target);
        Assert.Empty(_client.Collect(_engine, EngineEndPoint, _now));
    }

    [Fact]
    public void A_punch_request_for_a_node_that_keeps_no_session_here_is_answered_unknown_target()
    {
        _requester.Join(_engine, EngineEndPoint, _now, 10);
        _client.Join(_engine, EngineEndPoint, _now, 1); // a server: unflagged, so not a client of ours

        var ack = Assert.IsType<PunchAckResponse>(_requester.Ask(_engine, EngineEndPoint, _now, new PunchRequest(20, _client.Identity.Id)));

        Assert.Equal(PunchStatus.UnknownTarget, ack.Status);
        Assert.Empty(_client.Collect(_engine, EngineEndPoint, _now));
    }

    [Fact]
    public void Punch_requests_for_one_client_are_rate_limited_whoever_asks()
    {
        ClientKeepsASession();
        _requester.Join(_engine, EngineEndPoint, _now, 10);

        var notifies = 0;
        var statuses = new List<PunchStatus>();
        for (var i = 0; i < 10; i++)
        {
            _requester.Send(_engine, EngineEndPoint, _now, new PunchRequest(100 + (ulong)i, _client.Identity.Id));
            var (toClient, toRequester) = Route();
            notifies += toClient.Count;
            statuses.Add(Assert.IsType<PunchAckResponse>(Assert.Single(toRequester)).Status);
        }

        Assert.Equal(statuses.Count(s => s == PunchStatus.Notified), notifies);
        Assert.True(notifies <= 5, string.Join(",", statuses));
        Assert.Contains(PunchStatus.RateLimited, statuses);
        Assert.True(_engine.Statistics.Drops["engine.PunchRateLimited"] > 0);
    }

    [Fact]
    public void A_relay_frame_to_a_client_is_passed_on_with_its_source_and_one_to_a_stranger_is_dropped()
    {
        ClientKeepsASession();
        _requester.Join(_engine, EngineEndPoint, _now, 10);

        _requester.Send(_engine, EngineEndPoint, _now, new RelayFrame(30, _client.Identity.Id, "sealed bytes"u8, delivered: false));
        var delivered = Assert.IsType<RelayFrame>(Assert.Single(Route().Client));
        Assert.True(delivered.IsDelivery);
        Assert.Equal(_requester.Identity.Id, delivered.Peer);
        Assert.Equal("sealed bytes"u8.ToArray(), delivered.Packet.ToArray());

        using var stranger = NodeIdentity.Generate(Network);
        _requester.Send(_engine, EngineEndPoint, _now, new RelayFrame(31, stranger.Id, "sealed bytes"u8, delivered: false));
        Assert.Empty(Route().Client);
        Assert.Equal(1, _engine.Statistics.Drops["engine.RelayNoCircuit"]);
        Assert.Equal(1, _engine.Statistics.RelayedFrames);
    }
}
