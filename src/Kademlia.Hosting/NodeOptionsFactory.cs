using System.Diagnostics.Metrics;
using System.Net;
using Kademlia.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kademlia.Hosting;

/// <summary>The <see cref="DhtNodeOptions"/> of a hosted node: its validated settings, then the host's services, then <see cref="KademliaNodeOptions.ConfigureNode"/>.</summary>
internal static class NodeOptionsFactory
{
    public static DhtNodeOptions Create(KademliaNodeOptions settings, IServiceProvider services)
    {
        var options = new DhtNodeOptions
        {
            Network = settings.Network == "test" ? NetworkParameters.Test : NetworkParameters.Default,
            Bind = new IPEndPoint(IPAddress.Parse(settings.Bind), settings.Port),
            AdvertisedEndpoint = settings.Advertise is { } advertise ? IPEndPoint.Parse(advertise) : null,
            Mode = settings.Mode,
            Quorum = settings.Quorum,
            JoinRetryDelay = settings.JoinRetryDelay,
            JoinRetryMaxDelay = settings.JoinRetryMaxDelay,
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        settings.ConfigureNode?.Invoke(options);
        return options;
    }
}
