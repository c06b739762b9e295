using System.CommandLine;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad providers</c>: lists the providers of a topic as they are found.</summary>
internal static class ProvidersCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic") { Description = "The topic: a name (hashed with SHA-256) or a topic ID of 64 hex digits." };
        var max = new Option<int>("--max") { Description = "Stop after this many providers.", DefaultValueFactory = _ => 100 };
        max.Check(m => m is < 1 or > 10_000 ? "--max must be between 1 and 10000." : null);
        var client = new ClientOptions();
        var command = new Command("providers", "Find the providers of a topic; each is printed as soon as it is found: contact string, then its data.") { topic, max };
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var request = new ControlRequest { Op = "providers", Topic = NodeOperations.TopicId(result.GetValue(topic)!).ToString(), Max = result.GetValue(max) };
            return ClientCommand.RunAsync(client.Read(result), request, _ => { }, r => $"no providers found for topic {r.Key}.", cancellationToken, PrintAsync);
        });
        return command;
    }

    private static async Task PrintAsync(ProviderSummary provider)
    {
        var data = provider.Text ?? Convert.ToHexStringLower(provider.Data);
        await Console.Out.WriteLineAsync(data.Length == 0 ? provider.Contact : $"{provider.Contact}\t{data}").ConfigureAwait(false);
    }
}
