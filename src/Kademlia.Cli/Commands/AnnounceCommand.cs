using System.CommandLine;
using System.Text;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad announce</c>: announces the node as a provider of a topic.</summary>
internal static class AnnounceCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic") { Description = "The topic: a name (hashed with SHA-256) or a topic ID of 64 hex digits." };
        var data = new Option<string?>("--data") { Description = "Application data published with the announcement, as UTF-8 text (at most 128 bytes).", HelpName = "text" };
        data.Check(d => d is not null && Encoding.UTF8.GetByteCount(d) > NodeOperations.MaxApplicationData
            ? $"--data is {Encoding.UTF8.GetByteCount(d)} bytes; at most {NodeOperations.MaxApplicationData} are allowed."
            : null);
        var client = new ClientOptions();
        var command = new Command("announce", "Announce this node as a provider of a topic (the daemon republishes it while it runs).") { topic, data };
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var request = new ControlRequest
            {
                Op = "announce",
                Topic = NodeOperations.TopicId(result.GetValue(topic)!).ToString(),
                Data = result.GetValue(data) is { } d ? Encoding.UTF8.GetBytes(d) : null,
            };
            return ClientCommand.RunAsync(client.Read(result), request, Print, r => ClientCommand.StoredNowhere(r, "announcement"), cancellationToken);
        });
        return command;
    }

    private static void Print(OperationResult result)
    {
        Console.WriteLine(result.Key);
        Console.Error.WriteLine($"announced on {result.Stored} of {result.Attempted} nodes{ClientCommand.Rejections(result)}");
    }
}
