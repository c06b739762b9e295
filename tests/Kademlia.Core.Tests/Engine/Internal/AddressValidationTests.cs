using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Sessions;

namespace Kademlia.Tests.Engine.Internal;

public sealed class AddressValidationTests
{
    private static readonly IPEndPoint Source = new(IPAddress.Parse("192.0.2.7"), 4000);

    [Fact]
    public void An_unsolicited_initiation_gives_its_source_three_times_its_bytes_and_no_more()
    {
        var addresses = new AddressValidation(100);
        addresses.OnAccepted(Source, PacketType.IkInitiation, 200);
        Assert.Equal(600, addresses.Allowance(Source));
        Assert.True(addresses.TrySpend(Source, 400));
        Assert.False(addresses.TrySpend(Source, 201));
        Assert.True(addresses.TrySpend(Source, 200));
        Assert.Equal(0, addresses.Allowance(Source));
        Assert.False(addresses.IsProven(Source));

        addresses.OnAccepted(Source, PacketType.XxMessage1, 58); // each packet received adds to the budget
        Assert.Equal(174, addresses.Allowance(Source));
    }

    [Theory]
    [InlineData((byte)PacketType.TransportData)]
    [InlineData((byte)PacketType.IkResponse)]
    [InlineData((byte)PacketType.XxMessage2)]
    [InlineData((byte)PacketType.XxMessage3)]
    public void A_packet_only_the_holder_of_the_address_could_send_proves_it(byte type)
    {
        var proof = (PacketType)type;
        var addresses = new AddressValidation(100);
        addresses.OnAccepted(Source, PacketType.IkInitiation, 200);
        addresses.OnAccepted(Source, proof, 50);
        Assert.True(addresses.IsProven(Source));
        Assert.True(addresses.TrySpend(Source, 100_000));

        addresses.OnAccepted(Source, PacketType.IkInitiation, 200); // a rekey from a proven address stays proven
        Assert.Equal(int.MaxValue, addresses.Allowance(Source));
    }

    [Fact]
    public void A_cookie_reply_proves_nothing_and_addresses_we_reach_first_have_no_budget()
    {
        var addresses = new AddressValidation(100);
        addresses.OnAccepted(Source, PacketType.IkInitiation, 200);
        addresses.OnAccepted(Source, PacketType.CookieReply, 66);
        Assert.False(addresses.IsProven(Source));

        var ours = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5000);
        Assert.True(addresses.TrySpend(ours, 1280));
        Assert.Equal(int.MaxValue, addresses.Allowance(ours));
    }

    [Fact]
    public void The_unproven_table_is_bounded_and_forgets_its_oldest_half()
    {
        var addresses = new AddressValidation(10);
        for (var i = 0; i < 25; i++)
        {
            addresses.OnAccepted(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1000 + i), PacketType.IkInitiation, 200);
            Assert.InRange(addresses.UnprovenCount, 1, 10);
        }

        Assert.Equal(600, addresses.Allowance(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1024))); // the newest is tracked
    }
}
