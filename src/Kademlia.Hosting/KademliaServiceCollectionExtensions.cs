using Kademlia;
using Kademlia.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddKademliaNode(...)</c>: one Kademlia node that starts and stops with the host.</summary>
public static class KademliaServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="DhtNode"/> that starts with the host and stops with it, its settings bound
    /// from the <c>Kademlia</c> section of <paramref name="configuration"/> (<see cref="KademliaNodeOptions"/>)
    /// and checked when the host starts: a bad or unknown key stops the start with a message naming it.
    /// Logging, metrics (<c>IMeterFactory</c>) and the clock (<see cref="TimeProvider"/>) come from the host's services.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The application's configuration; its <c>Kademlia</c> section is bound.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <remarks>
    /// Registers <see cref="HostedDhtNode"/> (take it in hosted services and await
    /// <see cref="HostedDhtNode.GetNodeAsync"/>) and <see cref="DhtNode"/> (for code that runs once the
    /// host has started). One node per host: a second call throws.
    /// </remarks>
    public static IServiceCollection AddKademliaNode(this IServiceCollection services, IConfiguration configuration) =>
        AddKademliaNode(services, configuration, static _ => { });

    /// <summary>
    /// Registers a <see cref="DhtNode"/> as <see cref="AddKademliaNode(IServiceCollection, IConfiguration)"/>
    /// does, then lets <paramref name="configure"/> change the bound settings (before they are checked).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The application's configuration; its <c>Kademlia</c> section is bound.</param>
    /// <param name="configure">Changes the settings after binding, for example to set <see cref="KademliaNodeOptions.ConfigureNode"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddKademliaNode(this IServiceCollection services, IConfiguration configuration, Action<KademliaNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(KademliaNodeOptions.SectionName);
        return Add(services, section.Path, configure, options => options.Bind(section, binder => binder.ErrorOnUnknownConfiguration = true));
    }

    /// <summary>
    /// Registers a <see cref="DhtNode"/> that starts and stops with the host, its settings made by
    /// <paramref name="configure"/> alone (no configuration) and checked when the host starts.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the node's settings.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddKademliaNode(this IServiceCollection services, Action<KademliaNodeOptions> configure) =>
        Add(services, KademliaNodeOptions.SectionName, configure, static _ => { });

    private static IServiceCollection Add(IServiceCollection services, string section, Action<KademliaNodeOptions> configure, Action<OptionsBuilder<KademliaNodeOptions>> bind)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(s => s.ServiceType == typeof(HostedDhtNode)))
        {
            throw new InvalidOperationException("AddKademliaNode was called twice: a host runs one Kademlia node.");
        }

        var options = services.AddOptions<KademliaNodeOptions>();
        bind(options);
        options.Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KademliaNodeOptions>>(new KademliaNodeOptionsValidator(section));
        services.AddSingleton(provider => new HostedDhtNode(
            provider.GetRequiredService<IOptions<KademliaNodeOptions>>(), provider, provider.GetService<ILogger<HostedDhtNode>>()));
        services.AddHostedService(provider => provider.GetRequiredService<HostedDhtNode>());
        services.AddSingleton(provider => provider.GetRequiredService<HostedDhtNode>().Node);
        return services;
    }
}
