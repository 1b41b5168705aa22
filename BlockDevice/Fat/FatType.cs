namespace RecoverySim.BlockDevice.Fat;

/// <summary>The FAT variant, decided by the volume's count of clusters alone (fatgen103, "FAT Type Determination").</summary>
public enum FatType
{
    /// <summary>Fewer than 4,085 clusters; 12-bit FAT entries.</summary>
    Fat12,

    /// <summary>4,085 to 65,524 clusters; 16-bit FAT entries.</summary>
    Fat16,

    /// <summary>65,525 clusters or more; 28 bits used of 32-bit FAT entries.</summary>
    Fat32,
}
