using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>
/// docs/PROTOCOL.md, "ERROR": which undecodable requests are answered (and how), and which are dropped unanswered.
/// </summary>
public sealed class ErrorAnswerTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;
    private readonly RawPeer _peer = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);
    private readonly byte[] _buffer = new byte[PacketFormat.MaxPacketSize];

    public ErrorAnswerTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    private PeerKey EngineKey => new(_engine.Identity.PublicKey);

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _peer.Dispose();
    }

    [Fact]
    public void A_request_of_an_unknown_type_over_a_session_is_answered_UNSUPPORTED_REQUEST()
    {
        Assert.IsType<PongResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(1)));

        var answers = SendOverSession([0x3E, 0, 0, 0, 0, 0, 0, 0, 7, 0xAA, 0xBB]);

        var error = Assert.IsType<ErrorResponse>(Assert.Single(answers));
        Assert.Equal(ErrorCode.UnsupportedRequest, error.Code);
        Assert.Equal(7UL, error.RequestId);
    }

    [Fact]
    public void A_first_request_of_an_unknown_type_is_answered_UNSUPPORTED_REQUEST_inside_the_IK_response()
    {
        var answers = SendInInitiation([0x10, 0, 0, 0, 0, 0, 0, 0, 9]);

        var error = Assert.IsType<ErrorResponse>(Assert.Single(answers));
        Assert.Equal(ErrorCode.UnsupportedRequest, error.Code);
        Assert.Equal(9UL, error.RequestId);
        Assert.True(_peer.Manager.HasSession(EngineKey, _now));
        Assert.Null(_engine.Routing.Find(_peer.Identity.Id));
    }

    [Fact]
    public void A_malformed_first_request_is_answered_MALFORMED_REQUEST_inside_the_IK_response_and_the_sender_stays_out_of_the_table()
    {
        // FIND_NODE whose 32-byte target is cut short.
        var answers = SendInInitiation([(byte)MessageType.FindNode, 0, 0, 0, 0, 0, 0, 0, 11, 1, 2, 3]);

        var error = Assert.IsType<ErrorResponse>(Assert.Single(answers));
        Assert.Equal(ErrorCode.MalformedRequest, error.Code);
        Assert.Equal(11UL, error.RequestId);
        Assert.Null(_engine.Routing.Find(_peer.Identity.Id));
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("engine.MalformedMessage"));
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0, 0 })] // shorter than a header
    [InlineData(new byte[] { 0xC2, 0, 0, 0, 0, 0, 0, 0, 1 })] // an answer type nobody knows
    [InlineData(new byte[] { 0x81, 0, 0, 0, 0, 0, 0, 0, 1 })] // an answer (PONG) where a request belongs
    public void A_first_request_whose_header_does_not_decode_as_a_request_gets_no_IK_response(byte[] plaintext)
    {
        var answers = SendInInitiation(plaintext);

        Assert.Empty(answers);
        Assert.False(_peer.Manager.HasSession(EngineKey, _now));
        Assert.Null(_engine.Routing.Find(_peer.Identity.Id));
        Assert.Equal(1, _engine.Statistics.TotalDrops);
    }

    [Fact]
    public void An_answer_of_an_unknown_type_over_a_session_is_dropped_and_never_answered()
    {
        Assert.IsType<PongResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(1)));

        var answers = SendOverSession([0xC2, 0, 0, 0, 0, 0, 0, 0, 7]);

        Assert.Empty(answers);
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("engine.MalformedMessage"));
    }

    private List<Message> SendOverSession(byte[] plaintext)
    {
        var sealedPacket = _peer.Manager.SealTo(_now, EngineKey, plaintext, _buffer);
        Assert.Equal(SealStatus.Sealed, sealedPacket.Status);
        _engine.HandleDatagram(_now, _peer.EndPoint, _buffer.AsSpan(0, sealedPacket.Length));
        return _peer.Collect(_engine, EngineEndPoint, _now);
    }

    private List<Message> SendInInitiation(byte[] plaintext)
    {
        var initiation = _peer.Manager.InitiateIk(_now, EngineKey, EngineEndPoint, plaintext, _buffer);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        _engine.HandleDatagram(_now, _peer.EndPoint, _buffer.AsSpan(0, initiation.Length));
        return _peer.Collect(_engine, EngineEndPoint, _now);
    }
}
