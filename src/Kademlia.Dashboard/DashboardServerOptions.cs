using System.Net;
using Microsoft.Extensions.Logging;

namespace Kademlia.Dashboard;

/// <summary>Where a <see cref="DashboardServer"/> listens and what it asks of a browser.</summary>
public sealed class DashboardServerOptions
{
    /// <summary>
    /// The HTTP endpoint. Defaults to 127.0.0.1 on a port the system chooses. Anything but loopback puts
    /// the page and its token on the network in clear text: use a loopback address and an SSH tunnel.
    /// </summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// The secret a browser must show: as <c>?token=</c> on its first request (it then gets an HttpOnly,
    /// same-site cookie), or as <c>Authorization: Bearer</c>. Required; <c>kad node</c> uses its control token.
    /// </summary>
    public required string Token { get; init; }

    /// <summary>Where the server's own warnings go. Defaults to nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
