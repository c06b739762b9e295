using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Kademlia.Simulation;

/// <summary>
/// A network address translator for tests: maps inside endpoints to ports of one outside address and
/// filters what comes back, with the mapping and filtering behaviours of RFC 4787 and an idle timeout.
/// Pure state in virtual time (every call takes <c>now</c>); <see cref="EngineNetwork"/> puts nodes behind one.
/// </summary>
/// <remarks>
/// <para>
/// Outbound (<see cref="TranslateOutbound"/>): the mapping chosen by <see cref="NatBehavior.Mapping"/> is
/// found or created (a fresh outside port drawn from the NAT's seeded generator), its idle timer and the
/// destination's permission are refreshed, and the datagram leaves from the mapping's outside endpoint.
/// </para>
/// <para>
/// Inbound (<see cref="TryTranslateInbound"/>): a datagram to an outside port reaches the inside endpoint
/// only when a live mapping holds that port and <see cref="NatBehavior.Filtering"/> admits the source;
/// anything else is dropped and counted (<see cref="InboundUnmapped"/>, <see cref="InboundFiltered"/>).
/// </para>
/// <para>
/// Mappings expire lazily: every call first removes those idle for <see cref="NatBehavior.MappingTimeout"/>
/// or longer (<see cref="MappingsExpired"/>). A new mapping after expiry gets a new port, as on most routers;
/// ports are never preserved from the inside endpoint.
/// </para>
/// </remarks>
public sealed class Nat
{
    /// <summary>Lowest outside port handed out: the well-known ports are left alone.</summary>
    public const int FirstPort = 1024;

    /// <summary>Highest outside port handed out.</summary>
    public const int LastPort = 65535;

    private readonly Random _random;
    private readonly List<NatMapping> _mappings = [];
    private readonly Dictionary<MappingKey, NatMapping> _byKey = [];
    private readonly Dictionary<int, NatMapping> _byPort = [];
    private DateTimeOffset _nextExpiry = DateTimeOffset.MaxValue;

    /// <summary>Creates a NAT with no mappings.</summary>
    /// <param name="behavior">How it maps, filters and times out.</param>
    /// <param name="outsideAddress">The public address every mapping's outside endpoint has.</param>
    /// <param name="seed">Seeds the generator that draws outside ports, so that a run replays exactly.</param>
    public Nat(NatBehavior behavior, IPAddress outsideAddress, int seed)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        ArgumentNullException.ThrowIfNull(outsideAddress);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(behavior.MappingTimeout, TimeSpan.Zero);
        Behavior = behavior;
        OutsideAddress = outsideAddress;
        _random = new Random(seed);
    }

    /// <summary>How the NAT maps, filters and times out (<see cref="Reconfigure"/> changes it).</summary>
    public NatBehavior Behavior { get; private set; }

    /// <summary>The public address of every outside endpoint.</summary>
    public IPAddress OutsideAddress { get; }

    /// <summary>The mappings left after the last call, oldest first (call <see cref="Expire"/> to bring them up to a time).</summary>
    public IReadOnlyList<NatMapping> Mappings => _mappings;

    /// <summary>Outbound datagrams rewritten to an outside endpoint.</summary>
    public long OutboundTranslated { get; private set; }

    /// <summary>Inbound datagrams let through to an inside endpoint.</summary>
    public long InboundTranslated { get; private set; }

    /// <summary>Inbound datagrams dropped because no live mapping holds the outside port they were sent to.</summary>
    public long InboundUnmapped { get; private set; }

    /// <summary>Inbound datagrams dropped because the filtering refused their source on a live mapping.</summary>
    public long InboundFiltered { get; private set; }

    /// <summary>Datagrams from inside to the NAT's own outside address dropped because <see cref="NatBehavior.Hairpinning"/> is off.</summary>
    public long HairpinDropped { get; private set; }

    /// <summary>Inbound datagrams dropped for any reason.</summary>
    public long InboundDropped => InboundUnmapped + InboundFiltered + HairpinDropped;

    /// <summary>Mappings created.</summary>
    public long MappingsCreated { get; private set; }

    /// <summary>Mappings removed after being idle for the timeout.</summary>
    public long MappingsExpired { get; private set; }

    /// <summary>
    /// Translates a datagram from <paramref name="inside"/> to <paramref name="destination"/>: finds or creates
    /// its mapping, refreshes it and the destination's permission, and returns the source the destination sees.
    /// </summary>
    public IPEndPoint TranslateOutbound(DateTimeOffset now, IPEndPoint inside, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(inside);
        ArgumentNullException.ThrowIfNull(destination);
        Expire(now);
        var key = KeyOf(inside, destination);
        if (!_byKey.TryGetValue(key, out var mapping))
        {
            mapping = new NatMapping(new IPEndPoint(inside.Address, inside.Port), new IPEndPoint(OutsideAddress, AllocatePort()), new IPEndPoint(destination.Address, destination.Port), now, Behavior.MappingTimeout);
            _byKey[key] = mapping;
            _byPort[mapping.Outside.Port] = mapping;
            _mappings.Add(mapping);
            MappingsCreated++;
        }

        mapping.RecordOutbound(now, destination);
        _nextExpiry = Min(_nextExpiry, mapping.ExpiresAt);
        OutboundTranslated++;
        return mapping.Outside;
    }

    /// <summary>
    /// Translates a datagram from <paramref name="source"/> to the outside endpoint <paramref name="outside"/>:
    /// true with the inside endpoint when a live mapping holds the port and the filtering admits the source;
    /// false (dropped and counted) otherwise.
    /// </summary>
    public bool TryTranslateInbound(DateTimeOffset now, IPEndPoint source, IPEndPoint outside, [NotNullWhen(true)] out IPEndPoint? inside)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outside);
        Expire(now);
        inside = null;
        if (!Behavior.Hairpinning && source.Address.Equals(OutsideAddress))
        {
            // Only our own inside hosts send from our outside address: this datagram is a hairpin.
            HairpinDropped++;
            return false;
        }

        if (!outside.Address.Equals(OutsideAddress) || !_byPort.TryGetValue(outside.Port, out var mapping))
        {
            InboundUnmapped++;
            return false;
        }

        if (!mapping.Admits(now, source, Behavior.Filtering))
        {
            InboundFiltered++;
            return false;
        }

        if (Behavior.InboundRefresh)
        {
            mapping.RecordInbound(now, source);
        }

        InboundTranslated++;
        inside = mapping.Inside;
        return true;
    }

    /// <summary>
    /// The outside endpoint a datagram from <paramref name="inside"/> to <paramref name="destination"/> would
    /// leave from now, if a live mapping exists; null otherwise. Creates and refreshes nothing.
    /// </summary>
    public IPEndPoint? FindOutside(DateTimeOffset now, IPEndPoint inside, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(inside);
        ArgumentNullException.ThrowIfNull(destination);
        Expire(now);
        return _byKey.TryGetValue(KeyOf(inside, destination), out var mapping) ? mapping.Outside : null;
    }

    /// <summary>Removes the mappings idle for the timeout or longer at <paramref name="now"/>, counting them in <see cref="MappingsExpired"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        // Timers only move later, so no mapping can have expired before the earliest expiry last computed.
        if (now < _nextExpiry)
        {
            return;
        }

        _nextExpiry = DateTimeOffset.MaxValue;
        for (var i = _mappings.Count - 1; i >= 0; i--)
        {
            var mapping = _mappings[i];
            if (mapping.IsLiveAt(now))
            {
                mapping.Prune(now);
                _nextExpiry = Min(_nextExpiry, mapping.ExpiresAt);
                continue;
            }

            _mappings.RemoveAt(i);
            _byPort.Remove(mapping.Outside.Port);
            _byKey.Remove(KeyOf(mapping.Inside, mapping.Destination));
            MappingsExpired++;
        }
    }

    /// <summary>Forgets every mapping at once, as a router does when it reboots (not counted as expiries).</summary>
    public void Reset()
    {
        _mappings.Clear();
        _byKey.Clear();
        _byPort.Clear();
        _nextExpiry = DateTimeOffset.MaxValue;
    }

    /// <summary>
    /// Changes how the NAT behaves from now on, as when a router's settings are changed. A new filtering or
    /// hairpinning rule applies to the live mappings at once (they remember every destination sent to); a new
    /// mapping behaviour or idle timeout takes a restart, which forgets every mapping as <see cref="Reset"/> does.
    /// </summary>
    public void Reconfigure(NatBehavior behavior)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(behavior.MappingTimeout, TimeSpan.Zero);
        if (behavior.Mapping != Behavior.Mapping || behavior.MappingTimeout != Behavior.MappingTimeout)
        {
            Reset();
        }

        Behavior = behavior;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private MappingKey KeyOf(IPEndPoint inside, IPEndPoint destination) => Behavior.Mapping switch
    {
        MappingBehavior.EndpointIndependent => new MappingKey(inside, null, 0),
        MappingBehavior.AddressDependent => new MappingKey(inside, destination.Address, 0),
        _ => new MappingKey(inside, destination.Address, destination.Port),
    };

    private int AllocatePort()
    {
        if (_byPort.Count > LastPort - FirstPort)
        {
            throw new InvalidOperationException($"The NAT at {OutsideAddress} has no free outside port.");
        }

        while (true)
        {
            var port = _random.Next(FirstPort, LastPort + 1);
            if (!_byPort.ContainsKey(port))
            {
                return port;
            }
        }
    }

    /// <summary>What a mapping is found by: the inside endpoint and the part of the destination the mapping behaviour depends on.</summary>
    private readonly record struct MappingKey(IPEndPoint Inside, IPAddress? Address, int Port);
}
