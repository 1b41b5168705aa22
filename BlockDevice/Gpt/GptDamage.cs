namespace RecoverySim.BlockDevice.Gpt;

/// <summary>What a <see cref="GptTable.Read"/> found damaged; <see cref="GptReadResult.Repair"/> rewrites it.</summary>
[Flags]
public enum GptDamage
{
    /// <summary>Nothing: both copies valid and equal, protective MBR present.</summary>
    None = 0,

    /// <summary>LBA 0 holds no protective MBR (signature or 0xEE record missing).</summary>
    ProtectiveMbr = 1,

    /// <summary>The primary header or its entry array is invalid.</summary>
    Primary = 2,

    /// <summary>The backup header or its entry array is invalid.</summary>
    Backup = 4,

    /// <summary>Both copies are valid but describe different tables (a cut between the backup's and the primary's update); the primary wins.</summary>
    CopiesDiffer = 8,
}
