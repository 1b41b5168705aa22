namespace RecoverySim.BlockDevice.Fat;

/// <summary>What a FAT entry's value means (fatgen103 section 4), on a volume of a given type and cluster count.</summary>
internal enum FatEntryKind
{
    /// <summary>0: the cluster is free.</summary>
    Free,

    /// <summary>1: reserved, never inside a chain.</summary>
    Reserved,

    /// <summary>2 … the highest cluster of the volume: the next cluster of the chain.</summary>
    Next,

    /// <summary>Above the highest cluster and below the bad-cluster mark: points past the end of the volume.</summary>
    PastEnd,

    /// <summary>0xFF7 / 0xFFF7 / 0x0FFFFFF7: a bad cluster.</summary>
    Bad,

    /// <summary>0xFF8+ / 0xFFF8+ / 0x0FFFFFF8+: the end of the chain.</summary>
    EndOfChain,
}
