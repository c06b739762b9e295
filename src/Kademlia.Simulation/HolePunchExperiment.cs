using Kademlia.Engine;

namespace Kademlia.Simulation;

/// <summary>
/// Player to player across NATs, measured in the engine emulator (docs/EVALUATION.md): every pair of the
/// four classic NAT kinds (<see cref="Matrix"/>), and pairs drawn from a realistic mix (<see cref="Mix"/>).
/// Each trial builds a <see cref="PlayerPair"/>, connects the joiner to the host through the host's
/// rendezvous points, times the first app datagram, then exchanges <see cref="ExchangeCount"/> datagrams
/// each way. Virtual time: the same seed gives the same trial.
/// </summary>
public static class HolePunchExperiment
{
    /// <summary>The app channel the players use.</summary>
    public const string Channel = "game/1";

    /// <summary>Datagrams each player sends in the exchange after the first one.</summary>
    public const int ExchangeCount = 10;

    /// <summary>The seed of the matrix's first pair (full cone to full cone); the others follow row by row.</summary>
    public const int MatrixSeed = 151;

    /// <summary>The seed of the mix's draws and of its first pair; the others follow.</summary>
    public const int MixSeed = 1500;

    /// <summary>Pairs drawn from the mix.</summary>
    public const int MixPairs = 16;

    /// <summary>How long the first app datagram may take before the trial records none.</summary>
    public static readonly TimeSpan FirstMessageLimit = TimeSpan.FromSeconds(10);

    /// <summary>Every ordered pair of <see cref="NatKinds.Names"/> (joiner, host), seeds <see cref="MatrixSeed"/> onwards.</summary>
    public static IReadOnlyList<HolePunchTrial> Matrix()
    {
        var trials = new List<HolePunchTrial>();
        var kinds = NatKinds.Names;
        for (var j = 0; j < kinds.Count; j++)
        {
            for (var h = 0; h < kinds.Count; h++)
            {
                trials.Add(Trial(MatrixSeed + (j * kinds.Count) + h, kinds[j], kinds[h]));
            }
        }

        return trials;
    }

    /// <summary><paramref name="pairs"/> pairs drawn from <see cref="NatMix"/> with seed <paramref name="seed"/>, the n-th pair's network seeded <paramref name="seed"/> + n.</summary>
    public static IReadOnlyList<HolePunchTrial> Mix(int pairs = MixPairs, int seed = MixSeed)
    {
        var random = new Random(seed);
        var trials = new List<HolePunchTrial>();
        for (var i = 0; i < pairs; i++)
        {
            var (joiner, host) = (NatMix.Draw(random), NatMix.Draw(random));
            trials.Add(Trial(seed + i, joiner, host));
        }

        return trials;
    }

    /// <summary>One pair: a joiner behind <paramref name="joinerKind"/> connects to a host behind <paramref name="hostKind"/>.</summary>
    public static HolePunchTrial Trial(int seed, string joinerKind, string hostKind)
    {
        var (joinerNat, hostNat) = (NatKinds.Named(joinerKind), NatKinds.Named(hostKind));
        using var pair = PlayerPair.Create(seed, joinerNat, hostNat);
        var (network, joiner, host) = pair;
        host.Engine.OpenAppChannel(Channel);
        var start = network.Now;

        var result = pair.Connect();
        network.Start(joiner, (e, now) => { e.SendAppDatagram(now, host.Info, Channel, "hello"u8); return default; });
        var deadline = network.Now + FirstMessageLimit;
        while (PlayerPair.Delivered(host, Channel) == 0 && network.Now < deadline)
        {
            network.RunFor(TimeSpan.FromMilliseconds(1));
        }

        TimeSpan? first = PlayerPair.Delivered(host, Channel) > 0 ? network.Now - start : null;
        var delivered = pair.Exchange(Channel, ExchangeCount);
        return new HolePunchTrial(
            joinerKind,
            hostKind,
            seed,
            NatKinds.PunchableInTheory(joinerNat, hostNat),
            result.Via,
            joiner.Engine.PathTo(host.Info, network.Now),
            host.Engine.PathTo(joiner.Info, network.Now),
            first,
            2 * ExchangeCount,
            delivered);
    }
}
