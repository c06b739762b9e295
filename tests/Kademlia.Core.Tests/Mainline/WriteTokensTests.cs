using System.Net;
using CsCheck;
using Kademlia.Mainline;
using Kademlia.Tests.Sessions;

namespace Kademlia.Tests.Mainline;

/// <summary>BEP 5 write tokens in virtual time: a secret rotating every five minutes, the previous one still accepted.</summary>
public class WriteTokensTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Alice = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Bob = IPAddress.Parse("198.51.100.8");

    private static WriteTokens Create(int seed = 1) => new(new SeededRandomSource(seed), Start);

    private static DateTimeOffset At(double minutes) => Start + TimeSpan.FromMinutes(minutes);

    [Fact]
    public void A_token_is_accepted_from_its_address_only()
    {
        var tokens = Create();
        var token = tokens.Issue(Start, Alice);
        Assert.Equal(WriteTokens.TokenSize, token.Length);
        Assert.True(tokens.Validate(Start, Alice, token.Span));
        Assert.False(tokens.Validate(Start, Bob, token.Span));
        Assert.False(tokens.Validate(Start, Alice, token.Span[..^1]));
        Assert.True(tokens.Validate(Start, Alice.MapToIPv6(), token.Span));
    }

    [Fact]
    public void A_token_survives_one_rotation_and_not_two()
    {
        var tokens = Create();
        var token = tokens.Issue(At(4.99), Alice);
        Assert.Equal(At(5), tokens.NextRotation);

        Assert.True(tokens.Validate(At(5), Alice, token.Span));
        Assert.Equal(At(10), tokens.NextRotation);
        Assert.True(tokens.Validate(At(9.99), Alice, token.Span));
        Assert.False(tokens.Validate(At(10), Alice, token.Span));
        Assert.Equal(At(15), tokens.NextRotation);
    }

    [Fact]
    public void A_fresh_token_differs_after_a_rotation()
    {
        var tokens = Create();
        var before = tokens.Issue(Start, Alice);
        tokens.HandleTimeout(At(5));
        var after = tokens.Issue(At(5), Alice);
        Assert.NotEqual(before, after);
        Assert.True(tokens.Validate(At(5), Alice, before.Span));
        Assert.True(tokens.Validate(At(5), Alice, after.Span));
    }

    [Fact]
    public void After_a_silence_of_two_intervals_no_earlier_token_is_accepted()
    {
        var tokens = Create();
        var token = tokens.Issue(At(4), Alice);

        // No call at 5 or 10: the rotation is late by more than an interval, so both secrets are replaced.
        Assert.False(tokens.Validate(At(10), Alice, token.Span));
        Assert.Equal(At(15), tokens.NextRotation);
    }

    [Fact]
    public void A_late_single_rotation_keeps_the_previous_secret()
    {
        var tokens = Create();
        var token = tokens.Issue(At(1), Alice);
        Assert.True(tokens.Validate(At(7), Alice, token.Span));
        Assert.Equal(At(10), tokens.NextRotation);
    }

    [Fact]
    public void Tokens_differ_between_nodes_with_different_secrets()
    {
        var token = Create(1).Issue(Start, Alice);
        Assert.False(Create(2).Validate(Start, Alice, token.Span));
    }

    [Fact]
    public void A_token_issued_at_any_time_is_valid_until_the_second_rotation_after_it() =>
        Gen.Select(Gen.Double[0, 30], Gen.Double[0, 12], Gen.Byte.Array[4], Gen.Byte.Array[4])
            .Sample((issueMinute, waitMinutes, a, b) =>
            {
                var tokens = Create();

                // Tick the owner at every rotation, as a runtime polling NextRotation would.
                for (var minute = 5; minute <= issueMinute; minute += 5)
                {
                    tokens.HandleTimeout(At(minute));
                }

                var issuer = new IPAddress(a);
                var token = tokens.Issue(At(issueMinute), issuer);
                var secondRotation = (Math.Floor(issueMinute / 5) + 2) * 5;
                var check = issueMinute + waitMinutes;
                for (var minute = (Math.Floor(issueMinute / 5) + 1) * 5; minute <= check; minute += 5)
                {
                    tokens.HandleTimeout(At(minute));
                }

                Assert.Equal(check < secondRotation, tokens.Validate(At(check), issuer, token.Span));
                if (!a.AsSpan().SequenceEqual(b))
                {
                    Assert.False(tokens.Validate(At(check), new IPAddress(b), token.Span));
                }
            });
}
