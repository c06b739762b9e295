using System.Security.Cryptography;
using Kademlia.Identity;

namespace Kademlia.Sqlite;

/// <summary>
/// The file that keeps a node's identity across restarts: created once with owner-only permissions,
/// never overwritten, and refused (with a <see cref="KeyFileException"/>, the file untouched) when it
/// is not exactly what this class wrote or does not meet the network's proof-of-work.
/// </summary>
/// <remarks>
/// <para>Format, 62 bytes:</para>
/// <code>
/// magic      12  ASCII "kademlia-key"
/// version     1  1
/// identity   41  NodeIdentity.Export(): version 1 ‖ 32-byte Ed25519 seed ‖ 8-byte big-endian PoW nonce
/// checksum    8  the first 8 bytes of SHA-256 of the 54 bytes before
/// </code>
/// <para>
/// The checksum tells a damaged file (<see cref="KeyFileError.Corrupt"/>) from an intact identity made
/// for another network (<see cref="KeyFileError.InsufficientProofOfWork"/>): a flipped bit in the seed
/// would otherwise just look like an ID that fails the puzzle.
/// </para>
/// </remarks>
public static class IdentityKeyFile
{
    /// <summary>Bytes of a key file.</summary>
    public const int FileSize = HeaderSize + NodeIdentity.ExportSize + ChecksumSize;

    private const byte FormatVersion = 1;
    private const int ChecksumSize = 8;
    private const int HeaderSize = 13;

    /// <summary>Largest file read before deciding it is not a key file, so a huge file is not loaded.</summary>
    private const int ReadLimit = 4096;

    private static ReadOnlySpan<byte> Magic => "kademlia-key"u8;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Loads the identity at <paramref name="path"/>, or, when no file is there, generates one meeting
    /// <paramref name="network"/>'s proof-of-work and writes it (owner-only, 0600 on Unix). If another
    /// process creates the file meanwhile, its identity wins and is loaded.
    /// </summary>
    /// <exception cref="KeyFileException">A file exists and cannot be used; it is left as it was.</exception>
    /// <exception cref="OperationCanceledException">Generation was cancelled; nothing was written.</exception>
    public static NodeIdentity LoadOrCreate(
        string path,
        NetworkParameters network,
        IProgress<ProofOfWorkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        if (File.Exists(path) || Directory.Exists(path))
        {
            return Load(path, network);
        }

        var identity = NodeIdentity.Generate(network, progress, cancellationToken);
        try
        {
            return TryWriteNew(path, identity) ? identity : LoadInstead(identity, path, network);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>Loads the identity at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    /// <exception cref="KeyFileException">The file cannot be used; it is left as it was.</exception>
    public static NodeIdentity Load(string path, NetworkParameters network)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(network);
        if (Directory.Exists(path))
        {
            throw new KeyFileException(path, KeyFileError.NotAFile, "the identity key file is a directory.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
        {
            throw new KeyFileException(path, KeyFileError.InsecurePermissions,
                "the identity key file is accessible to other users; make it owner-only (chmod 600).");
        }

        var bytes = ReadBounded(path);
        try
        {
            var identity = Decode(path, bytes);
            if (!identity.MeetsProofOfWork(network))
            {
                identity.Dispose();
                throw new KeyFileException(path, KeyFileError.InsufficientProofOfWork,
                    $"the identity does not meet the proof-of-work of network '{network.Name}'.");
            }

            return identity;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The file contents for <paramref name="identity"/>, as laid out in the type's remarks.</summary>
    internal static byte[] Encode(NodeIdentity identity)
    {
        var bytes = new byte[FileSize];
        Magic.CopyTo(bytes);
        bytes[Magic.Length] = FormatVersion;
        var exported = identity.Export();
        exported.CopyTo(bytes, HeaderSize);
        CryptographicOperations.ZeroMemory(exported);
        Checksum(bytes.AsSpan(0, FileSize - ChecksumSize), bytes.AsSpan(FileSize - ChecksumSize));
        return bytes;
    }

    private static NodeIdentity Decode(string path, byte[] bytes)
    {
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new KeyFileException(path, KeyFileError.UnknownFormat, "not a Kademlia identity key file.");
        }

        if (bytes[Magic.Length] != FormatVersion)
        {
            throw new KeyFileException(path, KeyFileError.UnsupportedVersion,
                $"key file format version {bytes[Magic.Length]} is not supported (this build reads version {FormatVersion}).");
        }

        Span<byte> checksum = stackalloc byte[ChecksumSize];
        if (bytes.Length != FileSize)
        {
            throw new KeyFileException(path, KeyFileError.Corrupt, $"a key file is {FileSize} bytes, this one {bytes.Length}.");
        }

        Checksum(bytes.AsSpan(0, FileSize - ChecksumSize), checksum);
        if (!CryptographicOperations.FixedTimeEquals(checksum, bytes.AsSpan(FileSize - ChecksumSize))
            || !NodeIdentity.TryImport(bytes.AsSpan(HeaderSize, NodeIdentity.ExportSize), out var identity))
        {
            throw new KeyFileException(path, KeyFileError.Corrupt, "the key file's checksum does not match: it is damaged.");
        }

        return identity!;
    }

    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > ReadLimit)
        {
            throw new KeyFileException(path, KeyFileError.UnknownFormat, "not a Kademlia identity key file (far too large).");
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Writes the file through a temporary file and a no-overwrite move, so that a crash never leaves
    /// a half-written key file and an existing file is never replaced. False when one appeared meanwhile.
    /// </summary>
    private static bool TryWriteNew(string path, NodeIdentity identity)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
            }
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        var bytes = Encode(identity);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            File.Delete(temporary);
        }
    }

    private static NodeIdentity LoadInstead(NodeIdentity generated, string path, NetworkParameters network)
    {
        generated.Dispose();
        return Load(path, network);
    }

    private static void Checksum(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(content, digest);
        digest[..ChecksumSize].CopyTo(destination);
    }
}
