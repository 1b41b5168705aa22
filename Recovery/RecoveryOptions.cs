namespace RecoverySim.Recovery;

/// <summary>How recovery mode runs.</summary>
public sealed record RecoveryOptions
{
    /// <summary>Payload bytes between two journal records of a partition's progress (a multiple of 1 MiB; default 8 MiB).</summary>
    public long DurableInterval { get; init; } = 8L << 20;

    /// <summary>Told as partitions are installed and copied, or null.</summary>
    public IProgress<RecoveryProgress>? Progress { get; init; }
}
