using NSec.Cryptography;

namespace Kademlia.Cli.Commands;

/// <summary>
/// The Ed25519 key a BEP 44 mutable item is signed with: 64 hex digits (the 32-byte private seed) and a
/// newline, in a file only its owner can read (mode 0600 where the system has modes).
/// </summary>
internal static class MainlineKeyFile
{
    public static Key Create(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new CliException(ExitCodes.Usage, $"{path} already exists; a key file is never overwritten.");
        }

        var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var text = Convert.ToHexStringLower(key.Export(KeyBlobFormat.RawPrivateKey)) + "\n";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            key.Dispose();
            throw new CliException(ExitCodes.Usage, $"{path}: cannot be written ({e.Message}).", e);
        }

        return key;
    }

    public static Key Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"key file {path} does not exist (create one with 'kad mainline keygen {path}').", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.DataFileUnusable, $"key file {path} cannot be read ({e.Message}).", e);
        }

        byte[] seed;
        try
        {
            seed = Convert.FromHexString(text);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.DataFileUnusable, $"key file {path} is not 64 hex digits; it was left untouched.", e);
        }

        if (seed.Length != 32)
        {
            throw new CliException(ExitCodes.DataFileUnusable, $"key file {path} holds {seed.Length} bytes, not a 32-byte Ed25519 seed; it was left untouched.");
        }

        return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
    }

    public static string PublicKeyHex(Key key) => Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
