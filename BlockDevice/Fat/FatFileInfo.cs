namespace RecoverySim.BlockDevice.Fat;

/// <summary>A file or directory found on a <see cref="FatVolume"/>.</summary>
/// <param name="Name">The long (VFAT) name when a valid one is stored, else the 8.3 name (NT lower-case flags applied).</param>
/// <param name="ShortName">The 8.3 name as displayed ("GOLDEN~1.RSI").</param>
/// <param name="Path">The full path from the root, with '/' separators and the names as stored.</param>
/// <param name="Size">Bytes of a file; 0 for a directory.</param>
/// <param name="IsDirectory">True for a directory (the root included).</param>
/// <param name="Attributes">DIR_Attr.</param>
/// <param name="FirstCluster">The first cluster (0 for an empty file and for a FAT12/16 root).</param>
/// <param name="LastWriteTime">DIR_WrtDate and DIR_WrtTime, local time as FAT stores it; null when not a valid date.</param>
public sealed record FatFileInfo(string Name, string ShortName, string Path, long Size, bool IsDirectory, FatAttributes Attributes, uint FirstCluster, DateTime? LastWriteTime);
