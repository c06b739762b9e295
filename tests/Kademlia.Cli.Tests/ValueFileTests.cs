using System.Security.Cryptography;

namespace Kademlia.Cli.Tests;

/// <summary>
/// Values that are not text on the command line: <c>kad put --file</c>, <c>kad put -</c> (standard
/// input) and <c>kad get --out</c> carry any bytes unchanged, through two daemons on loopback.
/// </summary>
public sealed class ValueFileTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private KadDaemon _first = null!;
    private KadDaemon _second = null!;

    public async Task InitializeAsync()
    {
        _first = await KadDaemon.StartAsync(_directory.Sub("first"));
        _second = await KadDaemon.StartAsync(_directory.Sub("second"), [_first.Contact]);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>Bytes that are not UTF-8 and include every byte value, NUL and newlines among them.</summary>
    private static byte[] Binary(int length)
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        for (var i = 0; i < Math.Min(256, length); i++)
        {
            bytes[i] = (byte)i;
        }

        return bytes;
    }

    private async Task<byte[]> GetToFileAsync(string key, string name)
    {
        var path = _directory.Sub(name);
        var get = await Kad.RunAsync("get", key, "--out", path, "--data-dir", _first.DataDirectory);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("", get.Stdout);
        return await File.ReadAllBytesAsync(path);
    }

    [Fact]
    public async Task A_file_put_and_fetched_with_out_comes_back_byte_for_byte()
    {
        var value = Binary(1000);
        var file = _directory.Sub("value.bin");
        await File.WriteAllBytesAsync(file, value);

        var put = await Kad.RunAsync("put", "--file", file, "--data-dir", _second.DataDirectory);

        Assert.True(put.ExitCode == 0, put.ToString());
        var key = put.Stdout.Trim();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(value)), key);
        Assert.Equal(value, await GetToFileAsync(key, "fetched.bin"));
    }

    [Fact]
    public async Task A_value_from_standard_input_is_stored_as_its_bytes()
    {
        var value = Binary(300);

        var put = await Kad.RunWithInputAsync(value, "put", "-", "--data-dir", _second.DataDirectory);

        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(value)), put.Stdout.Trim());
        Assert.Equal(value, await GetToFileAsync(put.Stdout.Trim(), "from-stdin.bin"));
    }

    [Fact]
    public async Task Unusable_value_sources_exit_2_with_one_line()
    {
        var large = _directory.Sub("large.bin");
        await File.WriteAllBytesAsync(large, new byte[1001]);
        var cases = new (KadRun Run, string Mentions)[]
        {
            (await Kad.RunAsync("put", "--file", _directory.Sub("missing.bin"), "--data-dir", _second.DataDirectory), "no such file"),
            (await Kad.RunAsync("put", "--file", _directory.Path, "--data-dir", _second.DataDirectory), "is a directory"),
            (await Kad.RunAsync("put", "--file", large, "--data-dir", _second.DataDirectory), "more than 1000 bytes"),
            (await Kad.RunWithInputAsync(new byte[1500], "put", "-", "--data-dir", _second.DataDirectory), "more than 1000 bytes"),
            (await Kad.RunAsync("put", "--data-dir", _second.DataDirectory), "only one of them"),
            (await Kad.RunAsync("put", "text", "--file", large, "--data-dir", _second.DataDirectory), "only one of them"),
        };

        foreach (var (run, mentions) in cases)
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("kad: ", line, StringComparison.Ordinal);
            Assert.Contains(mentions, line, StringComparison.Ordinal);
        }
    }
}
