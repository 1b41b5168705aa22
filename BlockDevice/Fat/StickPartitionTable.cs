namespace RecoverySim.BlockDevice.Fat;

/// <summary>How <see cref="FatFormatter"/> places the FAT volume on a stick.</summary>
public enum StickPartitionTable
{
    /// <summary>No partition table: the volume starts at sector 0 ("superfloppy").</summary>
    None,

    /// <summary>An MBR with one primary partition from sector 2048 (1 MiB).</summary>
    Mbr,

    /// <summary>A GPT with one Microsoft basic data partition from sector 2048 (1 MiB).</summary>
    Gpt,
}
