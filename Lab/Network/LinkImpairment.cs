namespace RecoverySim.Lab.Network;

/// <summary>
/// What a simulated link does to the packets crossing it in one direction: a fixed delay plus a
/// uniform jitter, random loss, duplication and reordering. The kernel here has no netem, so
/// <see cref="LossyUdpRelay"/> applies these in user space.
/// </summary>
/// <remarks>
/// Reordering is modelled the way netem's <c>reorder</c> is observed on the wire: a chosen packet
/// is held back for an extra <see cref="ReorderDelay"/>, so packets sent after it overtake it.
/// Jitter larger than the gap between packets reorders them too, but only held packets count
/// as <see cref="RelayDirectionStatistics.Reordered"/>.
/// </remarks>
public sealed record LinkImpairment
{
    /// <summary>The largest delay, jitter or reorder delay accepted: beyond it a test is misconfigured.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    /// <summary>A perfect link: every packet forwarded once, at once, in order.</summary>
    public static LinkImpairment None { get; } = new();

    /// <summary>Fixed one-way delay added to every packet.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Extra delay drawn uniformly from [0, Jitter] for each copy of each packet.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability in [0, 1] that a packet is dropped.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability in [0, 1] that a forwarded packet is sent twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Probability in [0, 1] that a forwarded packet is held back by <see cref="ReorderDelay"/>.</summary>
    public double ReorderRate { get; init; }

    /// <summary>How long a packet chosen for reordering is held back (on top of its delay).</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>True when this link can delay a packet, so the relay must go through its scheduler.</summary>
    public bool Delays => Delay > TimeSpan.Zero || Jitter > TimeSpan.Zero || (ReorderRate > 0 && ReorderDelay > TimeSpan.Zero);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a field is out of range.</summary>
    /// <param name="name">The name of the setting being checked, for the error message.</param>
    public void Validate(string name)
    {
        CheckRate(LossRate, name, nameof(LossRate));
        CheckRate(DuplicateRate, name, nameof(DuplicateRate));
        CheckRate(ReorderRate, name, nameof(ReorderRate));
        CheckDelay(Delay, name, nameof(Delay));
        CheckDelay(Jitter, name, nameof(Jitter));
        CheckDelay(ReorderDelay, name, nameof(ReorderDelay));
    }

    private static void CheckRate(double rate, string name, string field)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(name, rate, $"{name}.{field}: expected a probability in [0, 1], found {rate}");
        }
    }

    private static void CheckDelay(TimeSpan delay, string name, string field)
    {
        if (delay < TimeSpan.Zero || delay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(name, delay, $"{name}.{field}: expected 0 to {MaxDelay.TotalSeconds} s, found {delay}");
        }
    }
}
