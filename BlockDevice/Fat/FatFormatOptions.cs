namespace RecoverySim.BlockDevice.Fat;

/// <summary>What <see cref="FatFormatter"/> writes.</summary>
public sealed record FatFormatOptions
{
    /// <summary>Where recovery looks for the golden image.</summary>
    public const string DefaultPath = "/recovery/golden.rsim";

    /// <summary>The FAT type; the layout picks cluster sizes so the cluster count is valid for it (fatgen103).</summary>
    public FatType Type { get; init; } = FatType.Fat32;

    /// <summary>The partition table in front of the volume.</summary>
    public StickPartitionTable PartitionTable { get; init; } = StickPartitionTable.Mbr;

    /// <summary>The path of the one file written (directories on the way are created).</summary>
    public string Path { get; init; } = DefaultPath;

    /// <summary>The volume label (at most 11 characters; upper-cased, stored in the boot sector and the root directory).</summary>
    public string VolumeLabel { get; init; } = "RECOVERY";

    /// <summary>The volume serial number (BS_VolID).</summary>
    public uint VolumeId { get; init; } = 0x52534D31;

    /// <summary>The creation and write time of every entry (FAT keeps local time, 2-second resolution).</summary>
    public DateTime Timestamp { get; init; } = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>The GUID source of a GPT (disk and partition GUIDs); <see cref="Guid.NewGuid"/> when null.</summary>
    public Func<Guid>? NewGuid { get; init; }
}
