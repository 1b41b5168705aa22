namespace RecoverySim.Bootloader.Control;

/// <summary>
/// Why a slot may not be booted, stored per slot in the boot control block (one byte, so values
/// are fixed: never renumber). <see cref="None"/> means the slot is not marked unbootable.
/// </summary>
public enum UnbootableReason : byte
{
    /// <summary>Not marked unbootable.</summary>
    None = 0,

    /// <summary>Every try was spent without the OS marking the slot successful (U-Boot bootcount, AVB tries).</summary>
    TriesExhausted = 1,

    /// <summary>A partition header failed its CRC, magic, version or field bounds.</summary>
    HeaderInvalid = 2,

    /// <summary>A header names another partition than the one it is stored in.</summary>
    WrongPartition = 3,

    /// <summary>A header is for another board id.</summary>
    WrongBoard = 4,

    /// <summary>A header is signed by a key the board does not trust.</summary>
    UntrustedKey = 5,

    /// <summary>A header's signature does not verify.</summary>
    BadSignature = 6,

    /// <summary>A header's rollback index is below the one stored in RPMB (a downgrade).</summary>
    RollbackIndexTooLow = 7,

    /// <summary>A payload's SHA-256 differs from its header's, or the payload does not fit the partition.</summary>
    PayloadHashMismatch = 8,

    /// <summary>The partitions of the slot come from different releases.</summary>
    ReleaseMismatch = 9,

    /// <summary>A partition of the slot could not be read (medium error).</summary>
    Unreadable = 10,

    /// <summary>The slot was marked unbootable on request (for example by an updater before it writes the slot).</summary>
    Requested = 11,
}
