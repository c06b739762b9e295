using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Tests.Engine.Internal;

public sealed class PeerVerificationTests
{
    private static readonly NetworkParameters Network = NetworkParameters.Test with { DynamicDifficulty = 6 };
    private static readonly NodeEndpoint Endpoint = NodeEndpoint.FromIPv4(0x7F000001, 4000);

    private static PeerIdentity IdentityOf(NodeIdentity node, ulong nonce) => new(new PeerKey(node.PublicKey), nonce);

    [Fact]
    public void A_sender_whose_nonce_meets_the_puzzle_is_verified_and_a_later_packet_without_the_nonce_too()
    {
        using var node = NodeIdentity.Generate(Network);
        var verification = new PeerVerification(Network, 16);
        Assert.True(verification.TryVerify(IdentityOf(node, node.PowNonce), Endpoint, out var first));
        Assert.Equal(node.Id, first.Id);

        // Transport packets carry no nonce (0): the peer is known by its key.
        Assert.True(verification.TryVerify(IdentityOf(node, 0), Endpoint, out var later));
        Assert.Equal(node.PowNonce, later.PowNonce);
    }

    [Fact]
    public void A_responder_that_does_not_repeat_its_nonce_is_verified_with_the_one_we_reached_it_by()
    {
        // An identity for which nonce 0 fails the puzzle (1 in 64 would pass it by chance).
        using var node = GenerateWhere(n => !new NodeInfo(new NodePublicKey(n.PublicKey), 0, Endpoint).MeetsProofOfWork(Network));
        var verification = new PeerVerification(Network, 16);
        Assert.False(verification.TryVerify(IdentityOf(node, 0), Endpoint, out _));

        verification.RememberNonce(NodeInfo.Of(node, Endpoint));
        Assert.True(verification.TryVerify(IdentityOf(node, 0), Endpoint, out var peer));
        Assert.Equal(node.PowNonce, peer.PowNonce);
    }

    [Fact]
    public void A_sender_that_fails_the_puzzle_is_refused_even_after_a_verified_one_with_another_key()
    {
        using var honest = NodeIdentity.Generate(Network);
        var verification = new PeerVerification(Network, 16);
        Assert.True(verification.TryVerify(IdentityOf(honest, honest.PowNonce), Endpoint, out _));

        using var weak = NodeIdentity.Generate(Network with { DynamicDifficulty = 0 });
        var wrongNonce = weak.PowNonce;
        while (new NodeInfo(new NodePublicKey(weak.PublicKey), wrongNonce, Endpoint).MeetsProofOfWork(Network))
        {
            wrongNonce++;
        }

        Assert.False(verification.TryVerify(IdentityOf(weak, wrongNonce), Endpoint, out _));
    }

    private static NodeIdentity GenerateWhere(Func<NodeIdentity, bool> wanted)
    {
        while (true)
        {
            var identity = NodeIdentity.Generate(Network);
            if (wanted(identity))
            {
                return identity;
            }

            identity.Dispose();
        }
    }
}
