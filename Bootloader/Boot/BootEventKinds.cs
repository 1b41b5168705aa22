namespace RecoverySim.Bootloader.Boot;

/// <summary>The kebab-case names of <see cref="BootEventKind"/> used in JSON and on screen.</summary>
public static class BootEventKinds
{
    /// <summary>The name of <paramref name="kind"/>, such as <c>slot-chosen</c>.</summary>
    public static string Name(BootEventKind kind) => kind switch
    {
        BootEventKind.PowerOn => "power-on",
        BootEventKind.BcbCopyRepaired => "bcb-copy-repaired",
        BootEventKind.BcbReset => "bcb-reset",
        BootEventKind.RpmbCopyRepaired => "rpmb-copy-repaired",
        BootEventKind.RecoveryRequested => "recovery-requested",
        BootEventKind.BootLimitExceeded => "boot-limit-exceeded",
        BootEventKind.BootCountIncremented => "boot-count-incremented",
        BootEventKind.SlotChosen => "slot-chosen",
        BootEventKind.TriesDecremented => "tries-decremented",
        BootEventKind.PartitionVerified => "partition-verified",
        BootEventKind.PartitionRejected => "partition-rejected",
        BootEventKind.SlotMarkedUnbootable => "slot-marked-unbootable",
        BootEventKind.NoBootableSlot => "no-bootable-slot",
        BootEventKind.RecoveryEntered => "recovery-entered",
        BootEventKind.KernelStarted => "kernel-started",
        BootEventKind.OsStarted => "os-started",
        BootEventKind.MarkedSuccessful => "marked-successful",
        BootEventKind.RollbackIndexRaised => "rollback-index-raised",
        BootEventKind.OsHung => "os-hung",
        BootEventKind.OsCrashed => "os-crashed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown boot event kind"),
    };
}
