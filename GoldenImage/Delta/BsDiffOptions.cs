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

    /// <summary>Parts smaller than this are not split further (splitting costs patch bytes, and a small file gains nothing).</summary>
    public int MinPartLength { get; init; } = 4 << 20;
}
