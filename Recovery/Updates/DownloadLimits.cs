namespace RecoverySim.Recovery.Updates;

/// <summary>The bounds of one package download.</summary>
public sealed record DownloadLimits
{
    /// <summary>The slowest rate accepted, bytes per second over <see cref="RateWindow"/>; 0 for no rate check and no stall timeout.</summary>
    public long MinRateBytesPerSecond { get; init; } = 1024;

    /// <summary>The span the rate is measured over; also the longest wait for the response headers or the next bytes.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes between flushes of the data and of the header that counts it.</summary>
    public int DurableInterval { get; init; } = 1 << 20;

    /// <summary>Checks the values (<see cref="ArgumentException"/> for a bad one).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MinRateBytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RateWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(DurableInterval, 4096);
    }
}
