namespace RecoverySim.Lab.Network;

/// <summary>
/// The seeded decision procedure behind one direction of a <see cref="LossyUdpRelay"/>: for the
/// n-th packet it always gives the same <see cref="PacketFate"/> for the same seed and settings,
/// so a lossy run replays exactly. No sockets, no clock: testable on its own.
/// </summary>
/// <remarks>
/// Every packet consumes exactly five draws (loss, duplicate, reorder, two jitters) whatever the
/// outcome, so changing one rate does not shift the random stream of the others.
/// Not thread-safe: the relay serialises calls per direction.
/// </remarks>
public sealed class ImpairmentModel
{
    private readonly LinkImpairment _link;
    private readonly Random _random;

    /// <summary>Creates the model for <paramref name="link"/> with a fixed <paramref name="seed"/>.</summary>
    public ImpairmentModel(LinkImpairment link, int seed)
    {
        ArgumentNullException.ThrowIfNull(link);
        link.Validate(nameof(link));
        _link = link;
        // Random(int) is the seeded legacy generator: stable across runs and runtime versions.
        _random = new Random(seed);
    }

    /// <summary>The settings this model applies.</summary>
    public LinkImpairment Link => _link;

    /// <summary>Decides the fate of the next packet.</summary>
    public PacketFate Next()
    {
        double loss = _random.NextDouble();
        double duplicate = _random.NextDouble();
        double reorder = _random.NextDouble();
        double jitter1 = _random.NextDouble();
        double jitter2 = _random.NextDouble();

        if (loss < _link.LossRate)
        {
            return new PacketFate(0, TimeSpan.Zero, TimeSpan.Zero, false);
        }

        bool reordered = reorder < _link.ReorderRate;
        TimeSpan first = _link.Delay + _link.Jitter * jitter1 + (reordered ? _link.ReorderDelay : TimeSpan.Zero);
        if (duplicate < _link.DuplicateRate)
        {
            return new PacketFate(2, first, _link.Delay + _link.Jitter * jitter2, reordered);
        }

        return new PacketFate(1, first, TimeSpan.Zero, reordered);
    }
}
