using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Kademlia.Cli.Daemon;

/// <summary>
/// <c>kad node --metrics</c>: the <c>Kademlia</c> meter served in Prometheus text format at
/// <c>http://address:port/metrics</c>, by OpenTelemetry's Prometheus exporter on an HttpListener.
/// Counters stay counters (<c>_total</c>), units go into the names (<c>_bytes</c>, <c>_seconds</c>), and
/// <c>target_info</c> carries the node ID as <c>service_instance_id</c>.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    /// <summary>The meter <c>DhtNode</c> publishes.</summary>
    private const string MeterName = DhtNode.MeterName;

    /// <summary>Ports tried when the system is to choose one (another process may take a free port between the look and the bind).</summary>
    private const int FreePortAttempts = 5;

    private readonly MeterProvider _provider;

    private MetricsEndpoint(MeterProvider provider, Uri address)
    {
        _provider = provider;
        Address = address;
    }

    /// <summary>Where Prometheus scrapes: <c>http://address:port/metrics</c>.</summary>
    public Uri Address { get; }

    /// <summary>Serves the meter at <paramref name="endpoint"/> (port 0: a free port the system chooses).</summary>
    /// <exception cref="CliException">The endpoint cannot be bound (<see cref="ExitCodes.BindFailed"/>).</exception>
    public static MetricsEndpoint Start(IPEndPoint endpoint, string nodeId)
    {
        var wildcard = IPAddress.IPv6Any.Equals(endpoint.Address) || IPAddress.Any.Equals(endpoint.Address);
        var host = endpoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        for (var attempt = 1; ; attempt++)
        {
            var port = endpoint.Port == 0 ? FreePort(endpoint.Address) : endpoint.Port;
            try
            {
                var provider = Sdk.CreateMeterProviderBuilder()
                    .ConfigureResource(resource => resource.AddService("kad", serviceInstanceId: nodeId))
                    .AddMeter(MeterName)
                    .AddPrometheusHttpListener(options =>
                    {
                        options.Host = wildcard ? "localhost" : host;
                        options.Port = port;
                        options.ConfigureHttpListener = (_, listener) =>
                        {
                            // A wildcard address answers whatever host name the scraper used.
                            if (wildcard)
                            {
                                listener.Prefixes.Clear();
                                listener.Prefixes.Add($"http://+:{port}/metrics/");
                            }
                        };
                    })
                    .Build();
                return new MetricsEndpoint(provider, new Uri($"http://{host}:{port}/metrics"));
            }
            catch (Exception e) when (e is InvalidOperationException or HttpListenerException)
            {
                if (endpoint.Port == 0 && attempt < FreePortAttempts)
                {
                    continue;
                }

                throw new CliException(ExitCodes.BindFailed, $"cannot serve metrics at {endpoint}: {e.GetBaseException().Message}", e);
            }
        }
    }

    public void Dispose() => _provider.Dispose();

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        try
        {
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        catch (SocketException e)
        {
            throw new CliException(ExitCodes.BindFailed, $"cannot serve metrics at {address}: {e.Message}", e);
        }
        finally
        {
            probe.Stop();
        }
    }
}
