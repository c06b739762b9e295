namespace Kademlia.Mainline.Internal;

/// <summary>The dictionary keys of KRPC (BEP 5) and its extensions (BEP 32, 42, 43, 44).</summary>
internal static class KrpcKeys
{
    public static ReadOnlySpan<byte> TransactionId => "t"u8;
    public static ReadOnlySpan<byte> MessageType => "y"u8;
    public static ReadOnlySpan<byte> Method => "q"u8;
    public static ReadOnlySpan<byte> Arguments => "a"u8;
    public static ReadOnlySpan<byte> Response => "r"u8;
    public static ReadOnlySpan<byte> Error => "e"u8;
    public static ReadOnlySpan<byte> ClientVersion => "v"u8;
    public static ReadOnlySpan<byte> ExternalIp => "ip"u8;
    public static ReadOnlySpan<byte> ReadOnly => "ro"u8;

    public static ReadOnlySpan<byte> Id => "id"u8;
    public static ReadOnlySpan<byte> Target => "target"u8;
    public static ReadOnlySpan<byte> InfoHash => "info_hash"u8;
    public static ReadOnlySpan<byte> Port => "port"u8;
    public static ReadOnlySpan<byte> ImpliedPort => "implied_port"u8;
    public static ReadOnlySpan<byte> Token => "token"u8;
    public static ReadOnlySpan<byte> Want => "want"u8;
    public static ReadOnlySpan<byte> Nodes => "nodes"u8;
    public static ReadOnlySpan<byte> Nodes6 => "nodes6"u8;
    public static ReadOnlySpan<byte> Values => "values"u8;

    public static ReadOnlySpan<byte> Value => "v"u8;
    public static ReadOnlySpan<byte> Key => "k"u8;
    public static ReadOnlySpan<byte> Salt => "salt"u8;
    public static ReadOnlySpan<byte> Sequence => "seq"u8;
    public static ReadOnlySpan<byte> Signature => "sig"u8;
    public static ReadOnlySpan<byte> Cas => "cas"u8;

    public static ReadOnlySpan<byte> WantNodes4 => "n4"u8;
    public static ReadOnlySpan<byte> WantNodes6 => "n6"u8;
}
