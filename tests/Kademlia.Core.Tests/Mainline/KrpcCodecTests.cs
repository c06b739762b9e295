using System.Buffers.Binary;
using System.Net;
using System.Text;
using CsCheck;
using Kademlia.Mainline;
using Kademlia.Routing;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// KRPC messages against the example packets of BEP 5 ("DHT Protocol", the bencoded forms under "Example
/// Packets" and "Example Error Packets") and the layouts of BEP 32 (nodes6, want), BEP 42 (ip) and BEP 43 (ro).
/// </summary>
public class KrpcCodecTests
{
    private static readonly MainlineId Abcdefghij = Id("abcdefghij0123456789");
    private static readonly MainlineId Mnopqrstuv = Id("mnopqrstuvwxyz123456");

    private static MainlineId Id(string text) => new(Encoding.ASCII.GetBytes(text));

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static KrpcMessage Read(byte[] datagram)
    {
        Assert.Equal(KrpcDecodeError.None, KrpcCodec.TryRead(datagram, out var message));
        return message!;
    }

    private static void AssertWrites(string expected, KrpcMessage message) =>
        Assert.Equal(expected, Encoding.Latin1.GetString(KrpcCodec.Encode(message)));

    [Fact]
    public void Bep5_ping_query_and_response()
    {
        const string query = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        const string response = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";

        var read = Read(Latin1(query));
        Assert.Equal("aa"u8.ToArray(), read.TransactionId.ToArray());
        Assert.Equal(new PingQuery(Abcdefghij), read.Body);
        AssertWrites(query, new KrpcMessage(BencodeString.FromUtf8("aa"), new PingQuery(Abcdefghij)));

        Assert.Equal(Mnopqrstuv, Assert.IsType<KrpcResponse>(Read(Latin1(response)).Body).Id);
        AssertWrites(response, new KrpcMessage(BencodeString.FromUtf8("aa"), new KrpcResponse(Mnopqrstuv)));
    }

    [Fact]
    public void Bep5_find_node_query()
    {
        const string query = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe";
        Assert.Equal(new FindNodeQuery(Abcdefghij, Mnopqrstuv), Read(Latin1(query)).Body);
        AssertWrites(query, new KrpcMessage(BencodeString.FromUtf8("aa"), new FindNodeQuery(Abcdefghij, Mnopqrstuv)));
    }

    [Fact]
    public void Bep5_find_node_response_placeholder_nodes_are_not_compact_node_info()
    {
        // BEP 5's example response abbreviates "nodes" to the 9 bytes "def456...": not a whole number of
        // 26-byte entries, so a strict reader refuses it rather than reading a partial node.
        const string response = "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re";
        Assert.Equal(KrpcDecodeError.InvalidField, KrpcCodec.TryRead(Latin1(response), out _));
        Assert.Equal(BencodeError.None, BencodeReader.TryRead(Latin1(response), out _));
    }

    [Fact]
    public void Find_node_response_with_compact_node_info_of_26_bytes_per_node()
    {
        // One node: 20-byte ID, then 4-byte address and 2-byte port, big-endian (BEP 5 "Contact Encoding").
        var node = new byte[26];
        Encoding.ASCII.GetBytes("mnopqrstuvwxyz123456", node);
        node[20] = 192;
        node[21] = 0;
        node[22] = 2;
        node[23] = 7;
        BinaryPrimitives.WriteUInt16BigEndian(node.AsSpan(24), 6881);
        byte[] datagram = [.. Latin1("d1:rd2:id20:0123456789abcdefghij5:nodes26:"), .. node, .. Latin1("e1:t2:aa1:y1:re")];

        var response = Assert.IsType<KrpcResponse>(Read(datagram).Body);
        var contact = Assert.Single(response.Nodes!);
        Assert.Equal(Mnopqrstuv, contact.Id);
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("192.0.2.7"), 6881), contact.Endpoint);
        Assert.Equal(datagram, KrpcCodec.Encode(Read(datagram)));
    }

    [Fact]
    public void Bep5_get_peers_query_and_response_with_peers()
    {
        const string query = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe";
        const string response = "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re";

        Assert.Equal(new GetPeersQuery(Abcdefghij, Mnopqrstuv), Read(Latin1(query)).Body);
        AssertWrites(query, new KrpcMessage(BencodeString.FromUtf8("aa"), new GetPeersQuery(Abcdefghij, Mnopqrstuv)));

        // The example's peers are six printable bytes each: "axje" is 97.120.106.101 and ".u" port 0x2E75.
        var peers = Assert.IsType<KrpcResponse>(Read(Latin1(response)).Body);
        Assert.Equal("aoeusnth"u8.ToArray(), peers.Token!.ToArray());
        Assert.Equal(
            [new NodeEndpoint(IPAddress.Parse("97.120.106.101"), 0x2E75), new NodeEndpoint(IPAddress.Parse("105.100.104.116"), 0x6E6D)],
            peers.Values!);
        AssertWrites(response, new KrpcMessage(BencodeString.FromUtf8("aa"), peers));
    }

    [Fact]
    public void Bep5_announce_peer_query_and_response()
    {
        // The BEP's bencoded line leaves out the implied_port its dictionary shows; both forms are checked.
        const string query = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
        const string implied = "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
        const string response = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";

        var announce = Assert.IsType<AnnouncePeerQuery>(Read(Latin1(query)).Body);
        Assert.Equal((Abcdefghij, Mnopqrstuv, (ushort)6881, false), (announce.Id, announce.InfoHash, announce.Port, announce.ImpliedPort));
        Assert.Equal("aoeusnth"u8.ToArray(), announce.Token.ToArray());
        AssertWrites(query, new KrpcMessage(BencodeString.FromUtf8("aa"), announce));

        var withImplied = Assert.IsType<AnnouncePeerQuery>(Read(Latin1(implied)).Body);
        Assert.True(withImplied.ImpliedPort);
        AssertWrites(implied, new KrpcMessage(BencodeString.FromUtf8("aa"), withImplied));

        Assert.IsType<KrpcResponse>(Read(Latin1(response)).Body);
    }

    [Fact]
    public void Bep5_generic_error()
    {
        const string error = "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee";
        var read = Assert.IsType<KrpcError>(Read(Latin1(error)).Body);
        Assert.Equal(new KrpcError(KrpcErrorCode.Generic, "A Generic Error Ocurred"), read);
        Assert.Equal(KrpcErrorCode.Generic, read.KnownCode);
        AssertWrites(error, new KrpcMessage(BencodeString.FromUtf8("aa"), read));
        Assert.Null(new KrpcError(999, "?").KnownCode);
    }

    [Fact]
    public void Bep32_nodes6_entries_are_38_bytes_and_want_lists_n4_and_n6()
    {
        var node = new byte[38];
        Encoding.ASCII.GetBytes("mnopqrstuvwxyz123456", node);
        IPAddress.Parse("2001:db8::1").TryWriteBytes(node.AsSpan(20, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(node.AsSpan(36), 6881);
        byte[] datagram = [.. Latin1("d1:rd2:id20:0123456789abcdefghij6:nodes638:"), .. node, .. Latin1("e1:t2:aa1:y1:re")];

        var response = Assert.IsType<KrpcResponse>(Read(datagram).Body);
        Assert.Equal(new MainlineNode(Mnopqrstuv, new NodeEndpoint(IPAddress.Parse("2001:db8::1"), 6881)), Assert.Single(response.Nodes6!));
        Assert.Equal(datagram, KrpcCodec.Encode(Read(datagram)));

        const string want = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz1234564:wantl2:n42:n6ee1:q9:find_node1:t2:aa1:y1:qe";
        Assert.Equal(new FindNodeQuery(Abcdefghij, Mnopqrstuv, KrpcWant.Nodes4 | KrpcWant.Nodes6), Read(Latin1(want)).Body);
        AssertWrites(want, new KrpcMessage(BencodeString.FromUtf8("aa"), new FindNodeQuery(Abcdefghij, Mnopqrstuv, KrpcWant.Nodes4 | KrpcWant.Nodes6)));

        // "For future extensibility, other strings may be present in the list, and must be silently ignored."
        const string future = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz1234564:wantl2:n52:n6ee1:q9:find_node1:t2:aa1:y1:qe";
        Assert.Equal(KrpcWant.Nodes6, Assert.IsType<FindNodeQuery>(Read(Latin1(future)).Body).Want);
    }

    [Fact]
    public void Bep32_values_may_mix_ipv4_and_ipv6_peers()
    {
        var v6 = new byte[18];
        IPAddress.Parse("2001:db8::2").TryWriteBytes(v6.AsSpan(0, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(v6.AsSpan(16), 443);
        byte[] datagram = [.. Latin1("d1:rd2:id20:abcdefghij01234567895:token2:tk6:valuesl6:axje.u18:"), .. v6, .. Latin1("ee1:t2:aa1:y1:re")];
        var values = Assert.IsType<KrpcResponse>(Read(datagram).Body).Values!;
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("2001:db8::2"), 443), values[1]);
    }

    [Fact]
    public void Bep42_ip_and_bep43_ro_are_top_level_keys()
    {
        // ip: the asker's address and port as seen by the answerer, 6 bytes for IPv4.
        byte[] datagram = [.. Latin1("d2:ip6:"), 124, 31, 75, 21, 0x1A, 0xE1, .. Latin1("1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re")];
        var message = Read(datagram);
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("124.31.75.21"), 6881), message.ExternalEndpoint);
        Assert.Equal(datagram, KrpcCodec.Encode(message));

        const string readOnly = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping2:roi1e1:t2:aa1:y1:qe";
        Assert.True(Read(Latin1(readOnly)).ReadOnly);
        AssertWrites(readOnly, new KrpcMessage(BencodeString.FromUtf8("aa"), new PingQuery(Abcdefghij)) { ReadOnly = true });
    }

    [Fact]
    public void Client_version_and_unknown_keys_do_not_stop_a_message()
    {
        const string query = "d1:ad5:extrai7e2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:v4:LT011:y1:q3:zzzi1ee";
        var message = Read(Latin1(query));
        Assert.Equal("LT01"u8.ToArray(), message.ClientVersion!.ToArray());
        Assert.Equal(new PingQuery(Abcdefghij), message.Body);
    }

    [Theory]
    [InlineData("i1e", KrpcDecodeError.NotADictionary)]
    [InlineData("d1:y1:qe", KrpcDecodeError.MissingTransactionId)]
    [InlineData("d1:ti1e1:y1:qe", KrpcDecodeError.MissingTransactionId)]
    [InlineData("d1:t2:aa1:y1:xe", KrpcDecodeError.InvalidMessageType)]
    [InlineData("d1:t2:aa1:y2:qqe", KrpcDecodeError.InvalidMessageType)]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe", KrpcDecodeError.MissingMethod)]
    [InlineData("d1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.MissingArguments)]
    [InlineData("d1:ade1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.MissingField)]
    [InlineData("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.InvalidField)]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:aa1:y1:qe", KrpcDecodeError.MissingField)]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti70000e5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.InvalidField)]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti-1e5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.InvalidField)]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti1ee1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.MissingField)]
    [InlineData("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz1234564:want2:n4e1:q9:find_node1:t2:aa1:y1:qe", KrpcDecodeError.InvalidField)]
    [InlineData("d1:rd2:id20:abcdefghij01234567896:valuesl5:abcdeee1:t2:aa1:y1:re", KrpcDecodeError.InvalidField)]
    [InlineData("d2:ip5:abcde1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:re", KrpcDecodeError.InvalidField)]
    [InlineData("d1:eli201ee1:t2:aa1:y1:ee", KrpcDecodeError.InvalidError)]
    [InlineData("d1:el3:abc3:abce1:t2:aa1:y1:ee", KrpcDecodeError.InvalidError)]
    [InlineData("d1:t2:aa1:y1:rd2:id20:abcdefghij0123456789ee", KrpcDecodeError.InvalidBencode)]
    public void Malformed_messages_are_refused_with_their_reason(string datagram, KrpcDecodeError expected)
    {
        Assert.Equal(expected, KrpcCodec.TryRead(Latin1(datagram), out var message));
        Assert.Null(message);
    }

    [Fact]
    public void An_unknown_method_still_yields_the_transaction_id_for_a_204_answer()
    {
        const string query = "d1:ad2:id20:abcdefghij0123456789e1:q6:vote!!1:t2:xy1:y1:qe";
        Assert.Equal(KrpcDecodeError.UnknownMethod, KrpcCodec.TryRead(Latin1(query), out var message, out var transactionId));
        Assert.Null(message);
        Assert.Equal("xy"u8.ToArray(), transactionId!.ToArray());
    }

    [Fact]
    public void Every_message_round_trips_to_the_same_bytes() =>
        KrpcGen.Message.Sample(message =>
        {
            var encoded = KrpcCodec.Encode(message);
            Assert.Equal(KrpcDecodeError.None, KrpcCodec.TryRead(encoded, out var read));
            Assert.Equal(message.Body.GetType(), read!.Body.GetType());
            Assert.Equal(encoded, KrpcCodec.Encode(read));
            if (message.Body is KrpcQuery query)
            {
                Assert.Equal(query.Id, ((KrpcQuery)read.Body).Id);
            }
        });

    [Fact]
    public void Nodes_of_the_wrong_family_cannot_be_written() =>
        Assert.Throws<ArgumentException>(() => CompactInfo.EncodeNodes([new MainlineNode(Abcdefghij, new NodeEndpoint(IPAddress.Loopback, 1))], ipv6: true));
}
