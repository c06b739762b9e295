using System.Net;

namespace Kademlia.Simulation.Tests;

/// <summary>The NAT box on its own, in virtual time: mapping reuse per behaviour, port allocation, filtering and expiry.</summary>
public sealed class NatTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Outside = IPAddress.Parse("203.0.113.1");
    private static readonly IPEndPoint Inside = IPEndPoint.Parse("10.0.0.2:4000");
    private static readonly IPEndPoint OtherInside = IPEndPoint.Parse("10.0.0.3:4000");
    private static readonly IPEndPoint A = IPEndPoint.Parse("198.51.100.1:5000");
    private static readonly IPEndPoint AOtherPort = IPEndPoint.Parse("198.51.100.1:5001");
    private static readonly IPEndPoint B = IPEndPoint.Parse("192.0.2.1:5000");

    private static Nat Create(MappingBehavior mapping, FilteringBehavior filtering = FilteringBehavior.AddressAndPortDependent, int seed = 1) =>
        new(new NatBehavior { Mapping = mapping, Filtering = filtering }, Outside, seed);

    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Endpoint_independent_mapping_gives_every_destination_the_same_outside_endpoint()
    {
        var nat = Create(MappingBehavior.EndpointIndependent);
        var toA = nat.TranslateOutbound(T0, Inside, A);
        Assert.Equal(toA, nat.TranslateOutbound(T0, Inside, AOtherPort));
        Assert.Equal(toA, nat.TranslateOutbound(T0, Inside, B));
        Assert.Equal(Outside, toA.Address);
        Assert.Single(nat.Mappings);
        Assert.Equal(3, nat.OutboundTranslated);
    }

    [Fact]
    public void Address_dependent_mapping_shares_a_port_per_destination_address()
    {
        var nat = Create(MappingBehavior.AddressDependent);
        var toA = nat.TranslateOutbound(T0, Inside, A);
        Assert.Equal(toA, nat.TranslateOutbound(T0, Inside, AOtherPort));
        Assert.NotEqual(toA, nat.TranslateOutbound(T0, Inside, B));
        Assert.Equal(2, nat.MappingsCreated);
    }

    [Fact]
    public void Address_and_port_dependent_mapping_gives_each_destination_endpoint_its_own_port()
    {
        var nat = Create(MappingBehavior.AddressAndPortDependent);
        var ports = new[] { A, AOtherPort, B }.Select(d => nat.TranslateOutbound(T0, Inside, d).Port).ToList();
        Assert.Equal(3, ports.Distinct().Count());
        Assert.Equal(ports[0], nat.TranslateOutbound(T0 + Seconds(1), Inside, A).Port);
    }

    [Fact]
    public void Two_inside_endpoints_never_share_a_mapping()
    {
        var nat = Create(MappingBehavior.EndpointIndependent);
        Assert.NotEqual(nat.TranslateOutbound(T0, Inside, A), nat.TranslateOutbound(T0, OtherInside, A));
    }

    [Fact]
    public void Outside_ports_are_distinct_unprivileged_and_replay_from_the_seed()
    {
        static List<int> Ports(int seed)
        {
            var nat = Create(MappingBehavior.AddressAndPortDependent, seed: seed);
            return [.. Enumerable.Range(1, 200).Select(i => nat.TranslateOutbound(T0, Inside, new IPEndPoint(B.Address, i)).Port)];
        }

        var ports = Ports(7);
        Assert.Equal(200, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, Nat.FirstPort, Nat.LastPort));
        Assert.Equal(ports, Ports(7));
        Assert.NotEqual(ports, Ports(8));
    }

    [Fact]
    public void A_datagram_to_an_outside_port_without_a_mapping_is_dropped_as_unmapped()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.EndpointIndependent);
        Assert.False(nat.TryTranslateInbound(T0, A, new IPEndPoint(Outside, 40_000), out _));
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.False(nat.TryTranslateInbound(T0, A, new IPEndPoint(Outside, outside.Port == 40_000 ? 40_001 : 40_000), out _));
        Assert.Equal(2, nat.InboundUnmapped);
        Assert.Equal(0, nat.InboundTranslated);
    }

    [Fact]
    public void Endpoint_independent_filtering_admits_anyone_through_a_live_mapping()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.EndpointIndependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.True(nat.TryTranslateInbound(T0, B, outside, out var inside));
        Assert.Equal(Inside, inside);
        Assert.Equal(1, nat.InboundTranslated);
    }

    [Fact]
    public void Address_dependent_filtering_admits_any_port_of_an_address_sent_to_and_nobody_else()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.AddressDependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.True(nat.TryTranslateInbound(T0, A, outside, out _));
        Assert.True(nat.TryTranslateInbound(T0, AOtherPort, outside, out _));
        Assert.False(nat.TryTranslateInbound(T0, B, outside, out _));
        Assert.Equal(1, nat.InboundFiltered);
    }

    [Fact]
    public void Address_and_port_dependent_filtering_admits_only_the_exact_endpoint_sent_to()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.AddressAndPortDependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.True(nat.TryTranslateInbound(T0, A, outside, out _));
        Assert.False(nat.TryTranslateInbound(T0, AOtherPort, outside, out _));
        Assert.False(nat.TryTranslateInbound(T0, B, outside, out _));
        Assert.Equal(2, nat.InboundFiltered);
    }

    [Fact]
    public void A_mapping_idle_for_the_timeout_expires_and_the_next_datagram_gets_a_new_one()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.EndpointIndependent);
        var first = nat.TranslateOutbound(T0, Inside, A);
        Assert.True(nat.TryTranslateInbound(T0 + Seconds(29.999), A, first, out _));
        Assert.False(nat.TryTranslateInbound(T0 + Seconds(30), A, first, out _));
        Assert.Equal(1, nat.MappingsExpired);
        Assert.Empty(nat.Mappings);

        var second = nat.TranslateOutbound(T0 + Seconds(31), Inside, A);
        Assert.NotEqual(first, second); // a fresh port, drawn again (this seed's second draw differs)
        Assert.Equal(2, nat.MappingsCreated);
        Assert.False(nat.TryTranslateInbound(T0 + Seconds(31), A, first, out _));
        Assert.True(nat.TryTranslateInbound(T0 + Seconds(31), A, second, out _));
    }

    [Fact]
    public void Outbound_traffic_keeps_a_mapping_alive_past_the_timeout()
    {
        var nat = Create(MappingBehavior.EndpointIndependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        for (var t = 20; t <= 200; t += 20)
        {
            Assert.Equal(outside, nat.TranslateOutbound(T0 + Seconds(t), Inside, A));
        }

        Assert.True(nat.TryTranslateInbound(T0 + Seconds(229), A, outside, out _));
        Assert.Equal(0, nat.MappingsExpired);
        Assert.Equal(1, nat.MappingsCreated);
    }

    [Fact]
    public void The_timeout_is_configurable()
    {
        var nat = new Nat(new NatBehavior { Filtering = FilteringBehavior.EndpointIndependent, MappingTimeout = TimeSpan.FromMinutes(2) }, Outside, 1);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.True(nat.TryTranslateInbound(T0 + Seconds(119), B, outside, out _));
        Assert.False(nat.TryTranslateInbound(T0 + Seconds(120), B, outside, out _));
    }

    [Fact]
    public void Inbound_traffic_refreshes_a_mapping_only_when_the_NAT_is_configured_to()
    {
        foreach (var inboundRefresh in new[] { false, true })
        {
            var nat = new Nat(new NatBehavior { InboundRefresh = inboundRefresh }, Outside, 1);
            var outside = nat.TranslateOutbound(T0, Inside, A);
            for (var t = 20; t <= 100; t += 20)
            {
                nat.TryTranslateInbound(T0 + Seconds(t), A, outside, out _);
            }

            Assert.Equal(inboundRefresh, nat.FindOutside(T0 + Seconds(101), Inside, A) is not null);
        }
    }

    [Fact]
    public void Each_destinations_permission_expires_on_its_own_while_other_traffic_keeps_the_mapping()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.AddressDependent);
        var outside = nat.TranslateOutbound(T0, Inside, B);
        nat.TranslateOutbound(T0 + Seconds(20), Inside, A);
        nat.TranslateOutbound(T0 + Seconds(40), Inside, A);

        Assert.NotNull(nat.FindOutside(T0 + Seconds(45), Inside, B));
        Assert.False(nat.TryTranslateInbound(T0 + Seconds(45), B, outside, out _));
        Assert.True(nat.TryTranslateInbound(T0 + Seconds(45), A, outside, out _));
        Assert.Equal([A], nat.Mappings.Single().PermittedAt(T0 + Seconds(45)));
    }

    [Fact]
    public void Find_outside_creates_nothing()
    {
        var nat = Create(MappingBehavior.EndpointIndependent);
        Assert.Null(nat.FindOutside(T0, Inside, A));
        Assert.Empty(nat.Mappings);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        Assert.Equal(outside, nat.FindOutside(T0, Inside, B));
        Assert.Null(nat.FindOutside(T0 + Seconds(30), Inside, B));
    }

    [Fact]
    public void Without_hairpinning_a_datagram_from_the_NATs_own_outside_address_is_dropped()
    {
        foreach (var hairpinning in new[] { true, false })
        {
            var nat = new Nat(new NatBehavior { Filtering = FilteringBehavior.EndpointIndependent, Hairpinning = hairpinning }, Outside, 1);
            var target = nat.TranslateOutbound(T0, Inside, A);
            var sender = nat.TranslateOutbound(T0, OtherInside, target);
            Assert.Equal(hairpinning, nat.TryTranslateInbound(T0, sender, target, out _));
            Assert.Equal(hairpinning ? 0 : 1, nat.HairpinDropped);
        }
    }

    [Fact]
    public void Reset_forgets_every_mapping_like_a_rebooted_router()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.EndpointIndependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        nat.Reset();
        Assert.Empty(nat.Mappings);
        Assert.False(nat.TryTranslateInbound(T0, A, outside, out _));
        Assert.Equal(0, nat.MappingsExpired);
    }

    [Fact]
    public void Reconfigured_filtering_applies_to_live_mappings_and_a_new_mapping_behaviour_restarts_the_router()
    {
        var nat = Create(MappingBehavior.EndpointIndependent, FilteringBehavior.AddressAndPortDependent);
        var outside = nat.TranslateOutbound(T0, Inside, A);
        var otherPort = new IPEndPoint(A.Address, A.Port + 1);
        Assert.False(nat.TryTranslateInbound(T0, otherPort, outside, out _));

        nat.Reconfigure(NatBehavior.RestrictedCone);

        Assert.True(nat.TryTranslateInbound(T0, otherPort, outside, out _));
        Assert.Equal(outside, nat.TranslateOutbound(T0, Inside, A));

        nat.Reconfigure(NatBehavior.Symmetric);

        Assert.Empty(nat.Mappings);
        Assert.False(nat.TryTranslateInbound(T0, A, outside, out _));
    }
}
