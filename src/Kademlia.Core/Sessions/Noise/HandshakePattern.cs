namespace Kademlia.Sessions.Noise;

/// <summary>The two Noise handshake patterns the session layer speaks.</summary>
internal enum HandshakePattern
{
    /// <summary>
    /// <c>IK</c>: the initiator already knows the responder's static key (from a contact), so its first message
    /// is encrypted to it and can carry a request: <c>&lt;- s ... -&gt; e, es, s, ss; &lt;- e, ee, se</c>.
    /// </summary>
    IK,

    /// <summary>
    /// <c>XX</c>: neither side knows the other's key (a bootstrap known only by address); one more message,
    /// and both static keys are transmitted encrypted: <c>-&gt; e; &lt;- e, ee, s, es; -&gt; s, se</c>.
    /// </summary>
    XX,
}
