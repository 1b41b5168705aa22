namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// Where everything goes on a stick <see cref="FatFormatter"/> writes: the stick size, the
/// volume's place and geometry, the directories on the path and the file. Made by
/// <see cref="FatFormatter.Plan"/> from the file size and the options; 512-byte sectors.
/// </summary>
public sealed record FatStickLayout
{
    /// <summary>Bytes per sector of the stick and of the volume.</summary>
    public const int SectorSize = 512;

    /// <summary>Where a partition starts (MBR and GPT): sector 2048, 1 MiB.</summary>
    public const long PartitionFirstSector = 2048;

    /// <summary>What was asked for.</summary>
    public required FatFormatOptions Options { get; init; }

    /// <summary>The path's segments: directories, then the file name.</summary>
    public required IReadOnlyList<string> Segments { get; init; }

    /// <summary>Bytes of the file.</summary>
    public required long FileBytes { get; init; }

    /// <summary>Sectors of the whole stick.</summary>
    public required long StickSectors { get; init; }

    /// <summary>First sector of the volume on the stick (0 without a partition table, else 2048).</summary>
    public required long VolumeFirstSector { get; init; }

    /// <summary>The volume's boot sector.</summary>
    public required FatBootSector BootSector { get; init; }

    /// <summary>Clusters of each directory's chain, root first on FAT32 (the FAT12/16 root is the fixed region), then one per directory on the path.</summary>
    public required IReadOnlyList<int> DirectoryClusters { get; init; }

    /// <summary>Clusters of the file.</summary>
    public long FileClusters => (FileBytes + BootSector.ClusterBytes - 1) / BootSector.ClusterBytes;

    /// <summary>Clusters in use: directories and file, allocated contiguously from cluster 2 in that order.</summary>
    public long UsedClusters => DirectoryClusters.Sum(c => (long)c) + FileClusters;

    /// <summary>Bytes of the stick.</summary>
    public long StickBytes => StickSectors * SectorSize;
}
