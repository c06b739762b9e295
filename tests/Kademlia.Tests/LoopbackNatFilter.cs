using System.Net;
using Kademlia.Internal;

namespace Kademlia.Tests;

/// <summary>
/// A NAT's filtering for a node on loopback (the <see cref="DhtNodeOptions.DatagramFilter"/> seam): a
/// datagram gets in only from an endpoint the node has sent to (address-and-port-dependent filtering, the
/// common home router's), and never from a blocked endpoint (punching between two such nodes cannot work).
/// Loopback has no address translation, so mappings never change; the engine emulator covers those.
/// </summary>
internal sealed class LoopbackNatFilter : IDatagramFilter
{
    private readonly Lock _gate = new();
    private readonly HashSet<EndPoint> _sentTo = [];
    private readonly HashSet<EndPoint> _blocked = [];

    /// <summary>Datagrams dropped so far.</summary>
    public int Dropped { get; private set; }

    /// <summary>Drops everything from <paramref name="source"/> from now on.</summary>
    public void Block(EndPoint source)
    {
        lock (_gate)
        {
            _blocked.Add(source);
        }
    }

    /// <summary>Lets <paramref name="source"/> through again (a router whose settings changed).</summary>
    public void Unblock(EndPoint source)
    {
        lock (_gate)
        {
            _blocked.Remove(source);
        }
    }

    public void Sent(EndPoint destination)
    {
        lock (_gate)
        {
            _sentTo.Add(destination);
        }
    }

    public bool Admits(EndPoint source)
    {
        lock (_gate)
        {
            if (!_blocked.Contains(source) && _sentTo.Contains(source))
            {
                return true;
            }

            Dropped++;
            return false;
        }
    }
}
