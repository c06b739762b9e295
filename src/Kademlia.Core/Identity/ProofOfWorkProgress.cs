namespace Kademlia.Identity;

/// <summary>Which puzzle an identity generation is solving.</summary>
public enum ProofOfWorkStage
{
    /// <summary>Generating key pairs until SHA-256(NodeId) has enough leading zero bits.</summary>
    StaticPuzzle,

    /// <summary>Searching the nonce for SHA-256(NodeId ‖ nonce).</summary>
    DynamicPuzzle,
}

/// <summary>Progress of <see cref="NodeIdentity.Generate"/>: the stage and the attempts made in it.</summary>
/// <param name="Stage">The puzzle being solved.</param>
/// <param name="Attempts">Key pairs (static) or hashes (dynamic) tried so far.</param>
public readonly record struct ProofOfWorkProgress(ProofOfWorkStage Stage, long Attempts);
