using Kademlia.Identity;

namespace Kademlia.Cli.Commands;

/// <summary>The values of <see cref="ClientOptions"/> for one invocation.</summary>
internal sealed record ClientSettings(string DataDirectory, IReadOnlyList<string> Bootstrap, NetworkParameters Network, bool Json, TimeSpan Timeout)
{
    public bool OneShot => Bootstrap.Count > 0;
}
