namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A volume is not FAT, or is damaged beyond what the reader tolerates (docs/FORMAT.md, "USB stick (FAT)"):
/// a boot sector field out of range, a cluster chain that loops, leaves the volume, runs into a
/// free, bad or reserved cluster or ends before the file does, a directory cycle, an oversized
/// directory, or no FAT volume on the stick. The message names the file or field, the value and the limit.
/// </summary>
public sealed class FatFormatException : BlockDeviceException
{
    /// <summary>Creates the exception.</summary>
    public FatFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with the fault that caused it (a read error, a bad partition table).</summary>
    public FatFormatException(string message, Exception inner) : base(message, inner) { }
}
