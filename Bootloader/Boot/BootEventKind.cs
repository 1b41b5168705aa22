namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// What happened at one step of a power-on (the <c>kind</c> of a boot log event), by its
/// kebab-case name. An open set: the bootloader's kinds are here; recovery mode and the layers
/// above it add their own (<c>RecoverySim.Recovery.RecoveryEventKinds</c>) to the same timeline.
/// </summary>
/// <param name="Name">The kebab-case name used in JSON and on screen, such as <c>slot-chosen</c>.</param>
public readonly record struct BootEventKind(string Name)
{
    /// <summary>Power came on; the bootloader starts.</summary>
    public static BootEventKind PowerOn { get; } = new("power-on");

    /// <summary>One boot control block copy was damaged and has been rewritten from the other.</summary>
    public static BootEventKind BcbCopyRepaired { get; } = new("bcb-copy-repaired");

    /// <summary>Neither boot control block copy was valid: reset to the factory state (libavb).</summary>
    public static BootEventKind BcbReset { get; } = new("bcb-reset");

    /// <summary>One RPMB copy was damaged and has been rewritten from the other.</summary>
    public static BootEventKind RpmbCopyRepaired { get; } = new("rpmb-copy-repaired");

    /// <summary>A recovery request was found in the boot control block.</summary>
    public static BootEventKind RecoveryRequested { get; } = new("recovery-requested");

    /// <summary>The boot counter reached the limit of power-ons without success (U-Boot bootlimit).</summary>
    public static BootEventKind BootLimitExceeded { get; } = new("boot-limit-exceeded");

    /// <summary>The boot counter was incremented (power-ons since the last success).</summary>
    public static BootEventKind BootCountIncremented { get; } = new("boot-count-incremented");

    /// <summary>A slot was chosen to boot.</summary>
    public static BootEventKind SlotChosen { get; } = new("slot-chosen");

    /// <summary>A try of a not-yet-successful slot was spent and persisted.</summary>
    public static BootEventKind TriesDecremented { get; } = new("tries-decremented");

    /// <summary>A partition header, signature, rollback index and payload verified.</summary>
    public static BootEventKind PartitionVerified { get; } = new("partition-verified");

    /// <summary>A partition failed verification, with the reason.</summary>
    public static BootEventKind PartitionRejected { get; } = new("partition-rejected");

    /// <summary>A slot was marked unbootable, with the reason.</summary>
    public static BootEventKind SlotMarkedUnbootable { get; } = new("slot-marked-unbootable");

    /// <summary>No slot is left to boot.</summary>
    public static BootEventKind NoBootableSlot { get; } = new("no-bootable-slot");

    /// <summary>The bootloader hands over to recovery mode.</summary>
    public static BootEventKind RecoveryEntered { get; } = new("recovery-entered");

    /// <summary>The kernel of the verified slot starts.</summary>
    public static BootEventKind KernelStarted { get; } = new("kernel-started");

    /// <summary>The simulated OS is up and runs its health check.</summary>
    public static BootEventKind OsStarted { get; } = new("os-started");

    /// <summary>The OS marked the slot successful.</summary>
    public static BootEventKind MarkedSuccessful { get; } = new("marked-successful");

    /// <summary>A rollback index in RPMB was raised to the booted slot's value.</summary>
    public static BootEventKind RollbackIndexRaised { get; } = new("rollback-index-raised");

    /// <summary>The OS hung before marking success; the watchdog resets the board.</summary>
    public static BootEventKind OsHung { get; } = new("os-hung");

    /// <summary>The OS crashed; the board resets.</summary>
    public static BootEventKind OsCrashed { get; } = new("os-crashed");

    /// <inheritdoc/>
    public override string ToString() => Name;
}
