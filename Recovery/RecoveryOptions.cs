namespace RecoverySim.Recovery;

/// <summary>How recovery mode runs.</summary>
public sealed record RecoveryOptions
{
    /// <summary>Payload bytes between two journal records of a partition's progress (a multiple of 1 MiB; default 32 MiB).</summary>
    public long DurableInterval { get; init; } = 32L << 20;

    /// <summary>
    /// Recoveries that may complete in a row without the OS marking a slot successful in between
    /// (default 2). Past it, recovery mode stops instead of reflashing again, unless a user asked
    /// for recovery: a golden image that never comes up healthy is not flashed in an endless loop
    /// (Android's recovery likewise stops and waits at its menu after repeated failed boots).
    /// </summary>
    public int MaxRecoveriesWithoutSuccess { get; init; } = 2;

    /// <summary>Told as partitions are installed and copied, or null.</summary>
    public IProgress<RecoveryProgress>? Progress { get; init; }
}
