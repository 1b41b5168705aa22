namespace RecoverySim.BlockDevice.Fat;

/// <summary>DIR_Attr bits of a directory entry (fatgen103 section 6).</summary>
[Flags]
public enum FatAttributes : byte
{
    /// <summary>No attribute.</summary>
    None = 0,

    /// <summary>ATTR_READ_ONLY.</summary>
    ReadOnly = 0x01,

    /// <summary>ATTR_HIDDEN.</summary>
    Hidden = 0x02,

    /// <summary>ATTR_SYSTEM.</summary>
    System = 0x04,

    /// <summary>ATTR_VOLUME_ID: the entry is the volume label.</summary>
    VolumeId = 0x08,

    /// <summary>ATTR_DIRECTORY.</summary>
    Directory = 0x10,

    /// <summary>ATTR_ARCHIVE.</summary>
    Archive = 0x20,

    /// <summary>ATTR_LONG_NAME (read-only, hidden, system and volume id together): a VFAT long-name entry.</summary>
    LongName = ReadOnly | Hidden | System | VolumeId,
}
