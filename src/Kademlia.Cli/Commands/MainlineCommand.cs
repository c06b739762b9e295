using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Kademlia.Identity;
using Kademlia.Mainline;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad mainline</c>: one-shot operations on the BitTorrent Mainline DHT (BEP 5, 44) through a temporary
/// read-only (BEP 43) node: get and announce peers, put and get immutable and mutable items, make a key.
/// </summary>
internal static class MainlineCommand
{
    private sealed record Shared(Option<string[]> Bootstrap, Option<int> Port, Option<string> Bind, Option<double> Timeout, Option<bool> Json)
    {
        public void AddTo(Command command)
        {
            command.Options.Add(Bootstrap);
            command.Options.Add(Port);
            command.Options.Add(Bind);
            command.Options.Add(Timeout);
            command.Options.Add(Json);
        }
    }

    public static Command Create()
    {
        var command = new Command("mainline", "Use the BitTorrent Mainline DHT (BEP 5 peers, BEP 44 items) through a temporary read-only node.");
        command.Subcommands.Add(GetPeers());
        command.Subcommands.Add(Announce());
        command.Subcommands.Add(Put());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(KeyGen());
        command.Subcommands.Add(PutMutable());
        command.Subcommands.Add(GetMutable());
        return command;
    }

    private static Shared NewShared()
    {
        var bootstrap = new Option<string[]>("--bootstrap")
        {
            Description = "A router or node to join through, host:port (repeatable). Default: the public routers (router.bittorrent.com:6881 and others).",
            HelpName = "host:port",
            DefaultValueFactory = _ => [],
        };
        bootstrap.Check(entries => entries.FirstOrDefault(e => !LooksLikeHostPort(e)) is { } bad ? $"--bootstrap: '{bad}' is not host:port." : null);
        var port = new Option<int>("--port") { Description = "The local UDP port (0: any free port).", DefaultValueFactory = _ => 0 };
        port.Check(p => p is < 0 or > 65535 ? "--port must be between 0 and 65535." : null);
        var bind = new Option<string>("--bind") { Description = "The local address.", DefaultValueFactory = _ => "0.0.0.0", HelpName = "address" };
        bind.Check(b => IPAddress.TryParse(b, out _) ? null : $"--bind: '{b}' is not an IP address.");
        var timeout = new Option<double>("--timeout") { Description = "Seconds before giving up.", DefaultValueFactory = _ => 30 };
        timeout.Check(t => t is <= 0 or > 86_400 ? "--timeout must be more than 0 seconds and at most 86400." : null);
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object (for scripts)." };
        return new Shared(bootstrap, port, bind, timeout, json);
    }

    private static Command GetPeers()
    {
        var shared = NewShared();
        var infoHash = InfoHashArgument("info-hash", "The torrent's info-hash (40 hex digits).");
        var command = new Command("get-peers", "Find the peers of an info-hash (BEP 5 get_peers).") { infoHash };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            var target = MainlineId.Parse(r.GetValue(infoHash)!);
            var result = await node.GetPeersAsync(target, token).ConfigureAwait(false);
            Print(r, shared, result, new JsonObject
            {
                ["infoHash"] = target.ToString(),
                ["peers"] = new JsonArray([.. result.Peers.Select(p => JsonValue.Create(p.ToString()))]),
            }, () =>
            {
                foreach (var peer in result.Peers) Console.WriteLine(peer);
            });
            return result.Peers.Count > 0 ? ExitCodes.Success : Fail(ExitCodes.NotFound, $"no peers found for {target}.");
        }, ct));
        return command;
    }

    private static Command Announce()
    {
        var shared = NewShared();
        var infoHash = InfoHashArgument("info-hash", "The torrent's info-hash (40 hex digits).");
        var peerPort = new Option<int?>("--peer-port") { Description = "The port peers should connect to. Default: implied_port, the source port of this command's socket." };
        peerPort.Check(p => p is < 1 or > 65535 ? "--peer-port must be between 1 and 65535." : null);
        var command = new Command("announce", "Announce a peer of an info-hash on the closest nodes (BEP 5 announce_peer).") { infoHash, peerPort };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            var target = MainlineId.Parse(r.GetValue(infoHash)!);
            var result = await node.AnnouncePeerAsync(target, r.GetValue(peerPort), token).ConfigureAwait(false);
            Print(r, shared, result, new JsonObject { ["infoHash"] = target.ToString(), ["stored"] = result.StoredCount, ["errors"] = Errors(result) },
                () => Console.WriteLine($"announced {target} on {result.StoredCount} node(s)"));
            return result.StoredCount > 0 ? ExitCodes.Success : Fail(ExitCodes.NotFound, $"no node accepted the announce of {target}{Refusals(result)}.");
        }, ct));
        return command;
    }

    private static Command Put()
    {
        var shared = NewShared();
        var value = new Argument<string>("value") { Description = "The value, stored as a bencoded UTF-8 string (at most 1000 bytes encoded)." };
        value.Check(v => Encoding.UTF8.GetByteCount(v) + 6 > MainlineItemRules.MaxValueSize ? "the value is over BEP 44's 1000 encoded bytes." : null);
        var command = new Command("put", "Store an immutable BEP 44 item; prints its target (SHA-1 of the bencoded value).") { value };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            var result = await node.PutImmutableAsync(BencodeString.FromUtf8(r.GetValue(value)!), token).ConfigureAwait(false);
            Print(r, shared, result, new JsonObject { ["target"] = result.Target.ToString(), ["stored"] = result.StoredCount, ["errors"] = Errors(result) },
                () => Console.WriteLine(result.Target));
            return result.StoredCount > 0 ? ExitCodes.Success : Fail(ExitCodes.NotFound, $"no node stored the item{Refusals(result)}.");
        }, ct));
        return command;
    }

    private static Command Get()
    {
        var shared = NewShared();
        var target = InfoHashArgument("target", "The item's target (40 hex digits), as 'kad mainline put' printed it.");
        var command = new Command("get", "Get an immutable BEP 44 item by its target and print its value.") { target };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            var id = MainlineId.Parse(r.GetValue(target)!);
            var result = await node.GetImmutableAsync(id, token).ConfigureAwait(false);
            if (result.Item is null)
            {
                return Fail(ExitCodes.NotFound, $"no item found under {id}.");
            }

            Print(r, shared, result, ItemJson(result.Item), () => Console.WriteLine(Text(result.Item.Value)));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command KeyGen()
    {
        var path = new Argument<string>("key-file") { Description = "Where to write the new Ed25519 key (never overwritten; readable by its owner only)." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object (for scripts)." };
        var command = new Command("keygen", "Create an Ed25519 key for signing mutable BEP 44 items; prints its public key.") { path, json };
        command.SetAction(r =>
        {
            using var key = MainlineKeyFile.Create(r.GetValue(path)!);
            var publicKey = MainlineKeyFile.PublicKeyHex(key);
            Console.WriteLine(r.GetValue(json) ? new JsonObject { ["publicKey"] = publicKey, ["keyFile"] = r.GetValue(path) }.ToJsonString() : publicKey);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command PutMutable()
    {
        var shared = NewShared();
        var value = new Argument<string>("value") { Description = "The value, stored as a bencoded UTF-8 string (at most 1000 bytes encoded)." };
        value.Check(v => Encoding.UTF8.GetByteCount(v) + 6 > MainlineItemRules.MaxValueSize ? "the value is over BEP 44's 1000 encoded bytes." : null);
        var keyFile = KeyFileOption();
        var salt = SaltOption();
        var sequence = new Option<long?>("--seq") { Description = "The sequence number. Default: one more than the highest found, with --cas set to it." };
        sequence.Check(s => s < 0 ? "--seq must not be negative." : null);
        var cas = new Option<long?>("--cas") { Description = "Store only where the stored sequence number is this one (BEP 44 cas)." };
        var command = new Command("put-mutable", "Sign and store a mutable BEP 44 item under a key file's public key and an optional salt.") { value, keyFile, salt, sequence, cas };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            using var key = MainlineKeyFile.Load(r.GetValue(keyFile)!);
            var saltBytes = Encoding.UTF8.GetBytes(r.GetValue(salt) ?? "");
            var seq = r.GetValue(sequence);
            var expected = r.GetValue(cas);
            if (seq is null)
            {
                var publicKey = new NodePublicKey(key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey));
                var current = (await node.GetMutableAsync(publicKey, saltBytes, token).ConfigureAwait(false)).Item as MutableItem;
                seq = current is null ? 1 : current.Sequence + 1;
                expected ??= current?.Sequence;
            }

            var result = await node.PutMutableAsync(key, BencodeString.FromUtf8(r.GetValue(value)!), seq.Value, saltBytes, expected, token).ConfigureAwait(false);
            Print(r, shared, result, new JsonObject
            {
                ["target"] = result.Target.ToString(),
                ["publicKey"] = MainlineKeyFile.PublicKeyHex(key),
                ["salt"] = r.GetValue(salt) ?? "",
                ["seq"] = seq.Value,
                ["stored"] = result.StoredCount,
                ["errors"] = Errors(result),
            }, () => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Target} seq {seq.Value} stored on {result.StoredCount} node(s)")));
            return result.StoredCount > 0 ? ExitCodes.Success : Fail(ExitCodes.NotFound, $"no node stored the item{Refusals(result)}.");
        }, ct));
        return command;
    }

    private static Command GetMutable()
    {
        var shared = NewShared();
        var publicKey = new Argument<string>("public-key") { Description = "The publisher's Ed25519 public key (64 hex digits), as 'kad mainline keygen' printed it." };
        publicKey.Check(k => k.Length == 64 && k.All(Uri.IsHexDigit) ? null : $"the public key must be 64 hex digits, got '{k}'.");
        var salt = SaltOption();
        var command = new Command("get-mutable", "Get the mutable BEP 44 item of a public key and salt with the highest sequence number.") { publicKey, salt };
        shared.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, shared, async (node, token) =>
        {
            var key = new NodePublicKey(Convert.FromHexString(r.GetValue(publicKey)!));
            var result = await node.GetMutableAsync(key, Encoding.UTF8.GetBytes(r.GetValue(salt) ?? ""), token).ConfigureAwait(false);
            if (result.Item is not MutableItem item)
            {
                return Fail(ExitCodes.NotFound, $"no item found for that key and salt (target {result.Target}).");
            }

            Print(r, shared, result, ItemJson(item), () =>
            {
                Console.WriteLine(Text(item.Value));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sequence {item.Sequence}"));
            });
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Argument<string> InfoHashArgument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Check(v => MainlineId.TryParse(v, out _) ? null : $"the {name} must be 40 hex digits, got '{v}'.");
        return argument;
    }

    private static Option<string> KeyFileOption() => new("--key") { Description = "The key file made by 'kad mainline keygen'.", Required = true, HelpName = "key-file" };

    private static Option<string?> SaltOption()
    {
        var salt = new Option<string?>("--salt") { Description = "The salt (UTF-8, at most 64 bytes): one key publishes one item per salt." };
        salt.Check(s => s is not null && Encoding.UTF8.GetByteCount(s) > MainlineItemRules.MaxSaltSize ? "--salt is over BEP 44's 64 bytes." : null);
        return salt;
    }

    private static async Task<int> RunAsync(ParseResult r, Shared shared, Func<MainlineDhtNode, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var seconds = r.GetValue(shared.Timeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        var bootstrap = r.GetValue(shared.Bootstrap) is { Length: > 0 } given ? given : MainlineDhtNodeOptions.PublicRouters;
        var options = new MainlineDhtNodeOptions
        {
            Bind = new IPEndPoint(IPAddress.Parse(r.GetValue(shared.Bind)!), r.GetValue(shared.Port)),
            BootstrapNodes = bootstrap,
            Engine = new MainlineEngineOptions { ReadOnly = true },
        };
        await using var node = await MainlineDhtNode.StartAsync(options, timeout.Token).ConfigureAwait(false);
        try
        {
            await node.BootstrapAsync(timeout.Token).ConfigureAwait(false);
            if (node.RoutingTableCount == 0)
            {
                throw new CliException(ExitCodes.BootstrapUnreachable, $"no bootstrap node answered ({string.Join(", ", bootstrap)}).");
            }

            return await body(node, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, string.Create(CultureInfo.InvariantCulture, $"the operation did not finish within --timeout {seconds} s."), e);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            throw new CliException(ExitCodes.BootstrapUnreachable, $"a bootstrap host name does not resolve ({string.Join(", ", bootstrap)}): {e.Message}", e);
        }
    }

    private static void Print(ParseResult r, Shared shared, MainlineOperationResult result, JsonObject json, Action text)
    {
        if (!r.GetValue(shared.Json))
        {
            text();
            return;
        }

        json["queries"] = result.QueriesSent;
        json["responses"] = result.Responses;
        json["ms"] = Math.Round(result.Elapsed.TotalMilliseconds, 1);
        Console.WriteLine(json.ToJsonString());
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"kad: {message}");
        return code;
    }

    private static JsonArray Errors(MainlineOperationResult result) => [.. result.Errors.Select(e => JsonValue.Create(e.Code))];

    private static string Refusals(MainlineOperationResult result) =>
        result.Errors.Count == 0 ? "" : $" (refused: {string.Join(", ", result.Errors.Select(e => $"{e.Code} {e.Message}").Distinct())})";

    private static JsonObject ItemJson(MainlineItem item)
    {
        var json = new JsonObject
        {
            ["target"] = item.Target.ToString(),
            ["value"] = Text(item.Value),
            ["bencoded"] = Convert.ToHexStringLower(item.EncodedValue.Span),
        };
        if (item is MutableItem mutable)
        {
            json["publicKey"] = mutable.PublicKey.ToString();
            json["salt"] = Encoding.UTF8.GetString(mutable.Salt.Span);
            json["seq"] = mutable.Sequence;
        }

        return json;
    }

    /// <summary>A byte string that is UTF-8 as its text; anything else in bencode's own notation.</summary>
    private static string Text(BencodeValue value)
    {
        if (value is BencodeString s)
        {
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(s.Span);
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return value.ToString();
    }

    private static bool LooksLikeHostPort(string entry)
    {
        if (IPEndPoint.TryParse(entry, out var literal))
        {
            return literal.Port != 0;
        }

        var colon = entry.LastIndexOf(':');
        return colon > 0 && ushort.TryParse(entry.AsSpan(colon + 1), out var port) && port != 0;
    }
}
