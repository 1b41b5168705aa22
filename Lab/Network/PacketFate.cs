namespace RecoverySim.Lab.Network;

/// <summary>
/// What an <see cref="ImpairmentModel"/> decided for one packet: dropped, or forwarded once or
/// twice, each copy after its own delay.
/// </summary>
/// <param name="Copies">0 (dropped), 1, or 2 (duplicated).</param>
/// <param name="FirstDelay">Delay of the first copy (meaningless when dropped).</param>
/// <param name="SecondDelay">Delay of the duplicate (meaningless unless <paramref name="Copies"/> is 2).</param>
/// <param name="Reordered">True when the first copy was held back to be overtaken.</param>
public readonly record struct PacketFate(int Copies, TimeSpan FirstDelay, TimeSpan SecondDelay, bool Reordered)
{
    /// <summary>True when the packet is not forwarded at all.</summary>
    public bool Dropped => Copies == 0;

    /// <summary>True when the packet is forwarded twice.</summary>
    public bool Duplicated => Copies == 2;

    /// <summary>The delay of copy <paramref name="index"/> (0 or 1).</summary>
    public TimeSpan DelayOf(int index) => index switch
    {
        0 => FirstDelay,
        1 => SecondDelay,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "a packet has at most 2 copies"),
    };
}
