namespace RecoverySim.Bootloader.Boot;

/// <summary>What happened at one step of a power-on (the <c>kind</c> of a boot log event).</summary>
public enum BootEventKind
{
    /// <summary>Power came on; the bootloader starts.</summary>
    PowerOn,

    /// <summary>One boot control block copy was damaged and has been rewritten from the other.</summary>
    BcbCopyRepaired,

    /// <summary>Neither boot control block copy was valid: reset to the factory state (libavb).</summary>
    BcbReset,

    /// <summary>One RPMB copy was damaged and has been rewritten from the other.</summary>
    RpmbCopyRepaired,

    /// <summary>A recovery request was found in the boot control block.</summary>
    RecoveryRequested,

    /// <summary>The boot counter reached the limit of power-ons without success (U-Boot bootlimit).</summary>
    BootLimitExceeded,

    /// <summary>The boot counter was incremented (power-ons since the last success).</summary>
    BootCountIncremented,

    /// <summary>A slot was chosen to boot.</summary>
    SlotChosen,

    /// <summary>A try of a not-yet-successful slot was spent and persisted.</summary>
    TriesDecremented,

    /// <summary>A partition header, signature, rollback index and payload verified.</summary>
    PartitionVerified,

    /// <summary>A partition failed verification, with the reason.</summary>
    PartitionRejected,

    /// <summary>A slot was marked unbootable, with the reason.</summary>
    SlotMarkedUnbootable,

    /// <summary>No slot is left to boot.</summary>
    NoBootableSlot,

    /// <summary>The bootloader hands over to recovery mode.</summary>
    RecoveryEntered,

    /// <summary>The kernel of the verified slot starts.</summary>
    KernelStarted,

    /// <summary>The simulated OS is up and runs its health check.</summary>
    OsStarted,

    /// <summary>The OS marked the slot successful.</summary>
    MarkedSuccessful,

    /// <summary>A rollback index in RPMB was raised to the booted slot's value.</summary>
    RollbackIndexRaised,

    /// <summary>The OS hung before marking success; the watchdog resets the board.</summary>
    OsHung,

    /// <summary>The OS crashed; the board resets.</summary>
    OsCrashed,
}
