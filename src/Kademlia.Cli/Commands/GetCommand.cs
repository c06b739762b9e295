using System.CommandLine;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad get</c>: finds a value by key and prints it.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("key") { Description = "The record key (64 hex digits), as printed by 'kad put'." };
        key.Check(k => Identity.NodeId.TryParse(k, out _) ? null : $"the key must be 64 hex digits, got '{k}'.");
        var mutable = new Option<bool>("--mutable") { Description = "The key names a mutable record (the highest sequence found wins)." };
        var output = new Option<string?>("--out") { Description = "Write the value's bytes, exactly as stored, to this file instead of printing them (with --json the value stays in the JSON).", HelpName = "path" };
        var client = new ClientOptions();
        var command = new Command("get", "Find a value by its key and print it (text, or hex when it is not UTF-8).") { key, mutable, output };
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var request = new ControlRequest { Op = "get", Key = result.GetValue(key)!.ToLowerInvariant(), Mutable = result.GetValue(mutable) };
            var path = result.GetValue(output);
            return ClientCommand.RunAsync(client.Read(result), request, r => Print(r, path), r => Miss(r, request.Mutable), cancellationToken);
        });
        return command;
    }

    /// <summary>The one line of a miss; it names the other record kind when a value of that kind is there.</summary>
    private static string Miss(OperationResult result, bool mutable) => result.OtherKind switch
    {
        "mutable" => $"no immutable value under {result.Key}, but a mutable record is there: kad get {result.Key} --mutable",
        "immutable" => $"no mutable record under {result.Key}, but an immutable value is there: kad get {result.Key} (without --mutable)",
        _ => $"no {(mutable ? "mutable record" : "value")} found under {result.Key}.",
    };

    private static void Print(OperationResult result, string? path)
    {
        if (result.Value is null)
        {
            return;
        }

        if (path is null)
        {
            Console.WriteLine(result.Text ?? Convert.ToHexStringLower(result.Value));
        }
        else
        {
            WriteValue(path, result.Value);
            Console.Error.WriteLine($"wrote {result.Value.Length} bytes to {path}");
        }

        if (result.Sequence is { } sequence)
        {
            Console.Error.WriteLine($"sequence {sequence}, from {result.Holders} node(s)");
            if (result.FirstSequence is { } first && first != sequence)
            {
                // The first value arrived early; the k closest then had a newer one.
                Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"first value: sequence {first} after {result.FirstValueMs:F1} ms, replaced by sequence {sequence} after {result.DurationMs:F1} ms"));
            }
            else if (result.FirstValueMs is { } firstMs)
            {
                Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"first value after {firstMs:F1} ms, confirmed by the k closest after {result.DurationMs:F1} ms"));
            }
        }
    }

    private static void WriteValue(string path, byte[] value)
    {
        try
        {
            File.WriteAllBytes(path, value);
        }
        catch (Exception e) when (e is DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"--out {path}: no such directory.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException(ExitCodes.Usage, $"--out {path}: {(Directory.Exists(path) ? "is a directory" : "permission denied")}.", e);
        }
        catch (IOException e)
        {
            throw new CliException(ExitCodes.Usage, $"--out {path}: cannot be written ({e.Message}).", e);
        }
    }
}
