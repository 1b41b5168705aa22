namespace RecoverySim.GoldenImage.Delta;

/// <summary>How <see cref="BsDiff"/> works; the patch format is the same whatever the options.</summary>
public sealed record BsDiffOptions
{
    /// <summary>
    /// Threads that scan the new file for matches, each over its own contiguous part (a match
    /// is cut where two parts meet: a few bytes of patch per part), and that compress the three
    /// blocks. 1 scans as bsdiff does, in one pass. At least 1.
    /// </summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Parts are at least this long: 64 MiB by default. Each part boundary costs a triple and a cut
    /// match (5 bytes on the bench pair), and the scan is a small share of the time next to the
    /// suffix array (docs/PERFORMANCE.md "Delta": two parts of 32 MiB gained nothing measurable).
    /// </summary>
    public int MinPartLength { get; init; } = 64 << 20;
}
