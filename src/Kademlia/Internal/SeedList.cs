using System.Net;
using Kademlia.Routing;

namespace Kademlia.Internal;

/// <summary>
/// Seeds as given (contact strings, addresses, host names), kept for every join attempt: host names are
/// resolved again on each, so a name that does not resolve at boot (DNS not up yet) still counts later.
/// </summary>
internal sealed class SeedList
{
    public List<NodeInfo> Contacts { get; } = [];

    public List<EndPoint> Addresses { get; } = [];

    public List<(string Host, int Port)> Hosts { get; } = [];

    public int Count => Contacts.Count + Addresses.Count + Hosts.Count;

    /// <exception cref="FormatException">A seed is not a contact string or address.</exception>
    public static SeedList Parse(IEnumerable<string> seeds)
    {
        var list = new SeedList();
        foreach (var seed in seeds)
        {
            if (ContactString.TryParse(seed, out var node, out var address))
            {
                if (node is { } n)
                {
                    list.Contacts.Add(n);
                }
                else
                {
                    list.Addresses.Add(address!);
                }
            }
            else if (ContactString.TryParseHost(seed, out var host, out var port))
            {
                list.Hosts.Add((host, port));
            }
            else
            {
                throw new FormatException($"'{seed}' is neither a contact string (key.nonce@host:port) nor host:port.");
            }
        }

        return list;
    }
}
