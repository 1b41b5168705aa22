namespace RecoverySim.BlockDevice.Fat;

/// <summary><paramref name="Count"/> consecutive clusters from <paramref name="First"/>: one contiguous stretch of a chain, read in one go.</summary>
internal readonly record struct ClusterRun(uint First, uint Count)
{
    /// <summary>One past the last cluster.</summary>
    public long End => (long)First + Count;
}
