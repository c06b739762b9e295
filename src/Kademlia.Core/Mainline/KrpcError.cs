namespace Kademlia.Mainline;

/// <summary>A KRPC error (<c>y = e</c>): <c>e</c> is a list of an integer code and a message string (BEP 5).</summary>
/// <param name="Code">The error code; see <see cref="KrpcErrorCode"/> for those BEP 5 and BEP 44 define.</param>
/// <param name="Message">The human-readable message (bytes read as UTF-8).</param>
public sealed record KrpcError(long Code, string Message) : KrpcBody
{
    /// <summary>An error with a code BEP 5 or BEP 44 defines.</summary>
    public KrpcError(KrpcErrorCode code, string message)
        : this((long)code, message)
    {
    }

    /// <summary>The code as a <see cref="KrpcErrorCode"/>, or null for a code no BEP defines.</summary>
    public KrpcErrorCode? KnownCode => Code is >= int.MinValue and <= int.MaxValue && Enum.IsDefined((KrpcErrorCode)(int)Code)
        ? (KrpcErrorCode)(int)Code
        : null;
}
