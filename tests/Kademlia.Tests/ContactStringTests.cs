using System.Net;
using System.Runtime.CompilerServices;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Tests;

/// <summary>The contact-string format of docs/PROTOCOL.md ("Contact strings"), with its two vectors.</summary>
public class ContactStringTests
{
    private const string KeyA = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string KeyB = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private const string ContactA = KeyA + ".102030405060708@192.0.2.1:6881";
    private const string ContactB = KeyB + ".7@[2001:db8::1]:6881";

    private static NodeInfo NodeA => new(new NodePublicKey(Convert.FromHexString(KeyA)), 0x0102030405060708, new NodeEndpoint(IPAddress.Parse("192.0.2.1"), 6881));

    private static NodeInfo NodeB => new(new NodePublicKey(Convert.FromHexString(KeyB)), 7, new NodeEndpoint(IPAddress.Parse("2001:db8::1"), 6881));

    [Fact]
    public void The_test_vector_contacts_format_as_documented_and_parse_back()
    {
        Assert.Equal(ContactA, ContactString.Format(NodeA));
        Assert.Equal(ContactB, ContactString.Format(NodeB));

        foreach (var (text, expected) in new[] { (ContactA, NodeA), (ContactB, NodeB) })
        {
            Assert.True(ContactString.TryParse(text, out var node, out var address));
            Assert.Null(address);
            Assert.Equal(expected.PublicKey, node!.Value.PublicKey);
            Assert.Equal(expected.PowNonce, node.Value.PowNonce);
            Assert.Equal(expected.Endpoint, node.Value.Endpoint);
        }
    }

    [Fact]
    public void The_protocol_document_shows_both_vector_contacts()
    {
        var text = File.ReadAllText(Path.Combine(SourceDirectory(), "..", "..", "docs", "PROTOCOL.md"));
        Assert.Contains($"\n    {ContactA}\n    {ContactB}\n", text, StringComparison.Ordinal);
        Assert.Contains("<public key>.<nonce>@<address>:<port>", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A.102030405060708@192.0.2.1:6881")]
    [InlineData(KeyA + ".0102030405060708@192.0.2.1:6881")]
    public void Upper_case_hex_and_a_zero_padded_nonce_are_read(string text)
    {
        Assert.True(ContactString.TryParse(text, out var node, out _));
        Assert.Equal(NodeA.PublicKey, node!.Value.PublicKey);
        Assert.Equal(NodeA.PowNonce, node.Value.PowNonce);
    }

    [Theory]
    [InlineData("192.0.2.1:6881", "192.0.2.1:6881")]
    [InlineData("[2001:db8::1]:6881", "[2001:db8::1]:6881")]
    public void An_address_alone_names_a_node_known_only_by_address(string text, string expected)
    {
        Assert.True(ContactString.TryParse(text, out var node, out var address));
        Assert.Null(node);
        Assert.Equal(IPEndPoint.Parse(expected), address);
    }

    [Theory]
    [InlineData(KeyA + "@192.0.2.1:6881")] // no nonce
    [InlineData(KeyA + ".@192.0.2.1:6881")] // empty nonce
    [InlineData(KeyA + ".0x7@192.0.2.1:6881")] // prefixed nonce
    [InlineData(KeyA + ".11111111111111111@192.0.2.1:6881")] // 17 significant digits
    [InlineData("d75a98.7@192.0.2.1:6881")] // short key
    [InlineData(KeyA + "00.7@192.0.2.1:6881")] // long key
    [InlineData(KeyA + ".7@192.0.2.1:0")] // port 0
    [InlineData(KeyA + ".7@192.0.2.1")] // no port
    [InlineData(KeyA + ".7@2001:db8::1:6881")] // IPv6 without brackets
    [InlineData(KeyA + ".7@example.org:6881")] // host name in a full contact
    [InlineData("192.0.2.1:0")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(ContactString.TryParse(text, out _, out _));
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;
}
