using System.Net;
using Microsoft.Extensions.Options;

namespace Kademlia.Hosting;

/// <summary>
/// Checks <see cref="KademliaNodeOptions"/> when the host starts (<c>ValidateOnStart</c>): each bad value
/// is named by its configuration key, with what it was and what is allowed, and the host does not start.
/// </summary>
/// <param name="section">The configuration path the options were bound from, to name keys as an operator writes them.</param>
internal sealed class KademliaNodeOptionsValidator(string section) : IValidateOptions<KademliaNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, KademliaNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.Network))
        {
            failures.Add($"{section}:Network is required: set it to 'default' (the public network) or 'test' (tests on one machine); nodes of different networks never talk.");
        }
        else if (options.Network is not ("default" or "test"))
        {
            failures.Add($"{section}:Network '{options.Network}' is not a network preset: use 'default' or 'test' (other parameters through ConfigureNode).");
        }

        if (!IPAddress.TryParse(options.Bind, out _))
        {
            failures.Add($"{section}:Bind '{options.Bind}' is not an IP address (for example '::', '0.0.0.0' or '127.0.0.1').");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{section}:Port {options.Port} is not between 0 and 65535.");
        }

        if (options.Advertise is { } advertise && (!IPEndPoint.TryParse(advertise, out var endpoint) || endpoint.Port == 0))
        {
            failures.Add($"{section}:Advertise '{advertise}' is not address:port with a port other than 0.");
        }

        for (var i = 0; i < options.Bootstrap.Count; i++)
        {
            var seed = options.Bootstrap[i];
            if (!ContactString.TryParse(seed, out _, out _) && (seed.Contains('@', StringComparison.Ordinal) || !ContactString.TryParseHost(seed, out _, out _)))
            {
                failures.Add($"{section}:Bootstrap:{i} '{seed}' is neither a contact string (key.nonce@host:port) nor host:port.");
            }
        }

        if (options.Quorum < 1)
        {
            failures.Add($"{section}:Quorum {options.Quorum} must be at least 1.");
        }

        if (options.JoinRetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{section}:JoinRetryDelay {options.JoinRetryDelay} must be longer than zero.");
        }
        else if (options.JoinRetryMaxDelay < options.JoinRetryDelay)
        {
            failures.Add($"{section}:JoinRetryMaxDelay {options.JoinRetryMaxDelay} is shorter than JoinRetryDelay {options.JoinRetryDelay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
