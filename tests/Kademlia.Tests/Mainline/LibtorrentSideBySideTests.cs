using System.Globalization;
using System.Text;
using Kademlia.Mainline;
using NSec.Cryptography;
using Xunit.Abstractions;
using static Kademlia.Tests.Mainline.MixedMainlineNetwork;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// Our node and libtorrent side by side on the same loopback network (four of each): get_peers, BEP 44
/// immutable get and mutable get, latency and queries sent. It asserts only that every lookup found what it
/// looked for; the numbers are printed (docs/BENCHMARKS.md quotes them), never compared with a threshold.
/// </summary>
public sealed class LibtorrentSideBySideTests(MixedMainlineNetwork network, ITestOutputHelper output) : IClassFixture<MixedMainlineNetwork>
{
    private const int Rounds = 20;

    [LibtorrentFact]
    public async Task Get_peers_and_item_gets_measured_against_libtorrent()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var cancellationToken = budget.Token;
        var infoHash = MainlineId.Sha1("side by side"u8);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = new Identity.NodePublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        Assert.True((await network.Ours[0].AnnouncePeerAsync(infoHash, 42000, cancellationToken)).StoredCount > 0);
        var immutable = await network.Ours[0].PutImmutableAsync(BencodeString.FromUtf8("measured"), cancellationToken);
        Assert.True(immutable.StoredCount > 0);
        Assert.True((await network.Ours[0].PutMutableAsync(key, BencodeString.FromUtf8("measured"), 1, "m"u8.ToArray(), cancellationToken: cancellationToken)).StoredCount > 0);

        var rows = new List<string>();
        var ours = network.Ours[1];
        var (ourPeers, ltPeers) = (new Samples(), new Samples());
        var (ourImmutable, ltImmutable) = (new Samples(), new Samples());
        var (ourMutable, ltMutable) = (new Samples(), new Samples());
        for (var round = 0; round < Rounds; round++)
        {
            var peers = await ours.GetPeersAsync(infoHash, cancellationToken);
            Assert.Contains(peers.Peers, p => p.Port == 42000);
            ourPeers.Add(peers.FirstFoundAfter!.Value, peers.Elapsed, peers.QueriesSent);
            var lt = await RetryAsync(() => network.Libtorrent.SendAsync("get_peers", round % Count, Args(("info_hash", infoHash.ToString())), cancellationToken), a => Peers(a).Contains("127.0.0.1:42000"), cancellationToken, 5);
            Assert.Contains("127.0.0.1:42000", Peers(lt));
            ltPeers.Add(lt);

            var item = await ours.GetImmutableAsync(immutable.Target, cancellationToken);
            Assert.NotNull(item.Item);
            ourImmutable.Add(item.FirstFoundAfter!.Value, item.Elapsed, item.QueriesSent);
            var ltItem = await network.Libtorrent.SendAsync("get_immutable", round % Count, Args(("target", immutable.Target.ToString())), cancellationToken);
            Assert.True(ltItem.GetProperty("found").GetBoolean());
            ltImmutable.Add(ltItem);

            var mutable = await ours.GetMutableAsync(publicKey, "m"u8.ToArray(), cancellationToken);
            Assert.NotNull(mutable.Item);
            ourMutable.Add(mutable.FirstFoundAfter!.Value, mutable.Elapsed, mutable.QueriesSent);
            var ltMutableItem = await network.Libtorrent.SendAsync("get_mutable", round % Count, Args(("public_key", Convert.ToHexStringLower(publicKey.Span)), ("salt", "m")), cancellationToken);
            Assert.True(ltMutableItem.GetProperty("found").GetBoolean());
            ltMutable.Add(ltMutableItem);
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"libtorrent {network.Libtorrent.Version}, {Rounds} rounds, 4 + 4 nodes on loopback; medians (p90) in ms");
        table.AppendLine("| operation | ours: first found | ours: lookup done | ours: queries | libtorrent: alert | libtorrent: queries |");
        table.AppendLine("|---|---|---|---|---|---|");
        table.AppendLine(Row("get_peers", ourPeers, ltPeers));
        table.AppendLine(Row("BEP 44 immutable get", ourImmutable, ltImmutable));
        table.AppendLine(Row("BEP 44 mutable get", ourMutable, ltMutable));
        output.WriteLine(table.ToString());
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "mainline-side-by-side.md"), table.ToString(), cancellationToken);
    }

    private static string Row(string name, Samples ours, Samples libtorrent) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {ours.First} | {ours.Done} | {ours.Queries} | {libtorrent.Done} | {libtorrent.Queries} |");

    private sealed class Samples
    {
        private readonly List<double> _first = [];
        private readonly List<double> _done = [];
        private readonly List<double> _queries = [];

        public string First => Describe(_first, "F2");

        public string Done => Describe(_done, "F2");

        public string Queries => Describe(_queries, "F0");

        public void Add(TimeSpan first, TimeSpan done, int queries)
        {
            _first.Add(first.TotalMilliseconds);
            _done.Add(done.TotalMilliseconds);
            _queries.Add(queries);
        }

        public void Add(System.Text.Json.JsonElement answer)
        {
            _done.Add(answer.GetProperty("ms").GetDouble());
            _queries.Add(answer.GetProperty("queries").GetInt32());
        }

        private static string Describe(List<double> values, string format)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0
                ? "-"
                : $"{sorted[sorted.Count / 2].ToString(format, CultureInfo.InvariantCulture)} ({sorted[(int)(sorted.Count * 0.9)].ToString(format, CultureInfo.InvariantCulture)})";
        }
    }
}
