using System.Net;
using System.Net.Sockets;

namespace Kademlia.Internal;

/// <summary>The receive step both runtimes (<see cref="DhtNode"/>, <c>MainlineDhtNode</c>) repeat on their UDP sockets.</summary>
internal static class UdpReceive
{
    /// <summary>The wildcard address a receive on <paramref name="socket"/> fills in with the sender's.</summary>
    public static EndPoint AnySender(Socket socket) =>
        socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);

    /// <summary>
    /// One asynchronous receive into <paramref name="buffer"/>: the datagram's length and sender, or null once
    /// the socket is closed or <paramref name="stopping"/> cancelled. A <see cref="SocketException"/> (an ICMP
    /// error of an earlier send surfacing here; the socket still works) goes to <paramref name="failed"/> and
    /// the receive is tried again.
    /// </summary>
    public static async ValueTask<(int Length, IPEndPoint From)?> NextAsync(Socket socket, byte[] buffer, EndPoint any, Action<SocketError> failed, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping).ConfigureAwait(false);
                if (received.RemoteEndPoint is IPEndPoint from)
                {
                    return (received.ReceivedBytes, from);
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e)
            {
                failed(e.SocketErrorCode);
            }
        }

        return null;
    }
}
