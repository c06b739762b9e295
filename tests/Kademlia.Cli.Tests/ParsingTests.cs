using System.CommandLine;
using System.Text;
using Kademlia.Cli.Commands;
using Kademlia.Cli.Control;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Cli.Tests;

/// <summary>The command line as parsed, in process: what is accepted, what is refused before any work starts.</summary>
public sealed class ParsingTests
{
    private const string Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string Contact = "2ace3c85e13c5a3f8f23696708637db2942c2bca6f8f09c0ff0041b690a4e790.6@127.0.0.1:4101";

    private static ParseResult Parse(string commandLine)
    {
        var root = new RootCommand();
        root.Subcommands.Add(IdCommand.Create());
        KadCommands.AddTo(root);
        return root.Parse(commandLine);
    }

    [Theory]
    [InlineData("node --port 70000")]
    [InlineData("node --port -1")]
    [InlineData("node --bind not-an-address")]
    [InlineData("node --bootstrap nonsense")]
    [InlineData("node --bootstrap 127.0.0.1")]
    [InlineData("node --advertise 10.0.0.1")]
    [InlineData("node --network prod")]
    [InlineData("node --log-level loud")]
    [InlineData("node --mode relay")]
    [InlineData("node --metrics localhost:nope")]
    [InlineData("node --metrics 127.0.0.1:70000")]
    [InlineData("node --metrics [::1]:9464")]
    [InlineData("node --log-format xml")]
    [InlineData("node --mode")]
    [InlineData("put")]
    [InlineData("put v --salt s")]
    [InlineData("put v --seq 3")]
    [InlineData("get zz")]
    [InlineData("get " + Key + "00")]
    [InlineData("find 1234")]
    [InlineData("ping nonsense")]
    [InlineData("providers t --max 0")]
    [InlineData("get " + Key + " --timeout 0")]
    [InlineData("status --bootstrap 127.0.0.1:4000")]
    [InlineData("id --create")]
    [InlineData("frobnicate")]
    [InlineData("node --port x")]
    [InlineData("put v --mutable --seq abc")]
    [InlineData("put v --seq abc")]
    [InlineData("providers t --max many")]
    [InlineData("get " + Key + " --timeout soon")]
    public void Refuses(string commandLine) => Assert.NotEmpty(Parse(commandLine).Errors);

    [Theory]
    [InlineData("node")]
    [InlineData("node --port 4000 --bind 0.0.0.0 --bootstrap 127.0.0.1:4001 --bootstrap " + Contact + " --network test --log-level Debug --data-dir /tmp/x")]
    [InlineData("node --bind :: --advertise 192.0.2.7:4000")]
    [InlineData("node --bind 0.0.0.0 --mode client")]
    [InlineData("node --metrics")]
    [InlineData("node --metrics 9464 --log-format json")]
    [InlineData("node --metrics 127.0.0.1:0 --log-format simple")]
    [InlineData("node --metrics [::]:9464")]
    [InlineData("put hello")]
    [InlineData("put hello --mutable --salt s --seq 3 --cas 2 --json")]
    [InlineData("get " + Key + " --mutable --bootstrap " + Contact + " --network test")]
    [InlineData("announce chess --data \"table 1\"")]
    [InlineData("providers chess --max 5 --timeout 2.5")]
    [InlineData("find " + Key)]
    [InlineData("ping " + Contact)]
    [InlineData("ping localhost:4000")]
    [InlineData("status --json --data-dir /tmp/x")]
    [InlineData("id --data-dir /tmp/x --create --network test")]
    public void Accepts(string commandLine)
    {
        var result = Parse(commandLine);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    [Fact]
    public void Announce_data_over_128_bytes_is_refused()
    {
        var root = new RootCommand { AnnounceCommand.Create() };
        var result = root.Parse(["announce", "t", "--data", new string('x', 129)]);
        Assert.Contains(result.Errors, e => e.Message.Contains("128", StringComparison.Ordinal));
    }

    [Fact]
    public void Bootstrap_is_repeatable_and_data_dir_defaults_to_dot_kad_in_home()
    {
        var root = new RootCommand { NodeCommand.Create() };
        var result = root.Parse(["node", "--bootstrap", "127.0.0.1:4001", "--bootstrap", Contact]);
        Assert.Equal(["127.0.0.1:4001", Contact], result.GetValue<string[]>("--bootstrap")!);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kad"), result.GetValue<string>("--data-dir"));
        Assert.Equal("default", result.GetValue<string>("--network"));
    }

    [Theory]
    [InlineData(new string[0], NodeMode.Auto)]
    [InlineData(new[] { "--mode", "auto" }, NodeMode.Auto)]
    [InlineData(new[] { "--mode", "server" }, NodeMode.Server)]
    [InlineData(new[] { "--mode", "client" }, NodeMode.Client)]
    public void Node_mode_defaults_to_auto_and_names_the_engine_mode(string[] arguments, NodeMode expected)
    {
        var root = new RootCommand { NodeCommand.Create() };
        var result = root.Parse(["node", .. arguments]);
        Assert.Empty(result.Errors);
        Assert.Equal(expected, NodeCommand.ToMode(result.GetValue<string>("--mode")));
    }

    [Fact]
    public void A_topic_of_64_hex_digits_is_its_own_id_and_any_other_topic_is_hashed()
    {
        Assert.Equal(NodeId.Parse(Key), NodeOperations.TopicId(Key));
        Assert.Equal(NodeId.Hash(Encoding.UTF8.GetBytes("chess")), NodeOperations.TopicId("chess"));
    }

    [Fact]
    public void Every_exit_code_is_distinct()
    {
        var codes = ExitCodes.Table.Select(row => row.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }
}
