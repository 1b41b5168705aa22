namespace RecoverySim.Bootloader.Control;

/// <summary>Why recovery mode is requested or entered (one byte in the boot control block: never renumber).</summary>
public enum RecoveryReason : byte
{
    /// <summary>No recovery requested.</summary>
    None = 0,

    /// <summary>A user or a tool asked for recovery.</summary>
    UserRequested = 1,

    /// <summary>No slot is left to boot.</summary>
    NoBootableSlot = 2,

    /// <summary>Too many boots without the OS marking success (U-Boot <c>bootlimit</c>).</summary>
    BootLimitExceeded = 3,

    /// <summary>Profile <c>single</c>: a partition failed verification.</summary>
    PartitionInvalid = 4,

    /// <summary>The OS asked for recovery (for example after it found its data damaged).</summary>
    OsRequested = 5,
}
