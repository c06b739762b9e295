namespace Kademlia.Sessions;

/// <summary>
/// A sliding anti-replay window over 64-bit counters, in the style of RFC 6479: a ring of 64-bit blocks where
/// advancing the window clears whole blocks instead of shifting bits.
/// </summary>
/// <remarks>
/// <para>
/// The rule (docs/PROTOCOL.md, "Indexes and counters"), WireGuard's with its window size: once the greatest
/// accepted counter is G, a counter c is accepted when it is unseen and G − <see cref="WindowSize"/> ≤ c, so the
/// 4032 counters G − 4032 … G − 1 below G can still arrive, and G − 4033 and older are replays.
/// </para>
/// <para>
/// 64 blocks of 64 bits; the block holding G is always partly ahead of it, so 63 × 64 = 4032 counters below G
/// are guaranteed to be held whatever G's position in its block (G − 4032 lies in the block 63 behind G's, the
/// oldest one kept; G − 4033 may share a slot with G's own block, which is why it must be refused). Checking and
/// marking are separate so that a forged packet cannot move the window: <see cref="IsFresh"/> runs before
/// decryption, <see cref="TryMark"/> only after the tag verified.
/// </para>
/// </remarks>
internal sealed class ReplayWindow
{
    /// <summary>How many counters below the greatest accepted one may still arrive: G − 4032 is accepted, G − 4033 is not.</summary>
    public const ulong WindowSize = (Blocks - 1) * BlockBits;

    private const int BlockBits = 64;
    private const int Blocks = 64;
    private const int BlockMask = Blocks - 1;
    private const int BlockShift = 6;

    private readonly ulong[] _ring = new ulong[Blocks];

    // One more than the greatest counter accepted, so that zero means "nothing yet".
    private ulong _next;

    /// <summary>Whether <paramref name="counter"/> could be accepted (not seen, not too old). Does not change state.</summary>
    public bool IsFresh(ulong counter)
    {
        if (counter >= SessionTimers.RejectAfterMessages)
        {
            return false;
        }

        if (counter >= _next)
        {
            return true;
        }

        // _next is G + 1, so this refuses exactly the counters below G - WindowSize.
        if (_next - counter > WindowSize + 1)
        {
            return false;
        }

        return (_ring[(int)(counter >> BlockShift) & BlockMask] & (1UL << (int)(counter & (BlockBits - 1)))) == 0;
    }

    /// <summary>Whether <paramref name="counter"/> is the greatest counter accepted so far (the newest packet).</summary>
    public bool IsGreatest(ulong counter) => _next != 0 && counter == _next - 1;

    /// <summary>Marks <paramref name="counter"/> received; false if it was already seen or is too old.</summary>
    public bool TryMark(ulong counter)
    {
        if (!IsFresh(counter))
        {
            return false;
        }

        if (counter >= _next)
        {
            // Clear the blocks the window slides over; at most the whole ring.
            ulong currentBlock = _next == 0 ? 0 : (_next - 1) >> BlockShift;
            ulong newBlock = counter >> BlockShift;
            ulong advance = Math.Min(newBlock - currentBlock, Blocks);
            if (_next == 0)
            {
                Array.Clear(_ring);
            }
            else
            {
                for (ulong i = 1; i <= advance; i++)
                {
                    _ring[(int)((currentBlock + i) & BlockMask)] = 0;
                }
            }

            _next = counter + 1;
        }

        _ring[(int)(counter >> BlockShift) & BlockMask] |= 1UL << (int)(counter & (BlockBits - 1));
        return true;
    }
}
