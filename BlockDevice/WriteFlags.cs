namespace RecoverySim.BlockDevice;

/// <summary>Options of one <see cref="IBlockDevice.Write"/>.</summary>
[Flags]
public enum WriteFlags
{
    /// <summary>An ordinary write: volatile until the next <see cref="IBlockDevice.Flush"/>.</summary>
    None = 0,

    /// <summary>Force unit access: the write is durable when <see cref="IBlockDevice.Write"/> returns (SCSI FUA, eMMC reliable write).</summary>
    ForceUnitAccess = 1,
}
