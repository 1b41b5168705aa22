namespace RecoverySim.BlockDevice.Faults;

/// <summary>What a power cut does to the writes sitting in a volatile write cache (written since the last flush, not FUA).</summary>
public enum CacheLossMode
{
    /// <summary>All of them are lost.</summary>
    LoseAll,

    /// <summary>All of them had reached the medium.</summary>
    KeepAll,

    /// <summary>
    /// A seeded subset of the writes (each write whole or not at all) had reached the medium:
    /// this is how reordering between flushes shows after a cut.
    /// </summary>
    RandomSubset,
}
