using System.Globalization;
using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia;

/// <summary>
/// The textual form of a contact, as <c>kad node</c> prints it and <c>--bootstrap</c> takes it:
/// <c>&lt;64 hex digits of the Ed25519 key&gt;.&lt;PoW nonce in hex&gt;@host:port</c>, or just
/// <c>host:port</c> for a node known only by its address (then met with a Noise XX handshake).
/// IPv6 hosts are bracketed: <c>…@[::1]:4000</c>.
/// </summary>
public static class ContactString
{
    /// <summary>Formats <paramref name="node"/> as <c>key.nonce@host:port</c>.</summary>
    public static string Format(NodeInfo node) =>
        $"{node.PublicKey}.{node.PowNonce.ToString("x", CultureInfo.InvariantCulture)}@{node.Endpoint}";

    /// <summary>
    /// Parses a contact string: a full contact (<paramref name="node"/> set) or an address only
    /// (<paramref name="address"/> set). Host names are not resolved here; use an IP literal or
    /// resolve first with <see cref="TryParseHost"/>.
    /// </summary>
    public static bool TryParse(string? text, out NodeInfo? node, out IPEndPoint? address)
    {
        node = null;
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return IPEndPoint.TryParse(text, out address) && address.Port != 0;
        }

        var identity = text.AsSpan(0, at);
        var dot = identity.IndexOf('.');
        if (dot != NodePublicKey.Size * 2
            || !IPEndPoint.TryParse(text.AsSpan(at + 1), out var endpoint) || endpoint.Port == 0
            || !ulong.TryParse(identity[(dot + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var nonce))
        {
            return false;
        }

        Span<byte> key = stackalloc byte[NodePublicKey.Size];
        if (Convert.FromHexString(identity[..dot], key, out _, out var written) != System.Buffers.OperationStatus.Done || written != NodePublicKey.Size)
        {
            return false;
        }

        node = new NodeInfo(new NodePublicKey(key), nonce, NodeEndpoint.FromIPEndPoint(endpoint));
        return true;
    }

    /// <summary>Splits <c>host:port</c> where host may be a name; false when malformed.</summary>
    public static bool TryParseHost(string text, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(text);
        host = string.Empty;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
