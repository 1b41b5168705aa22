using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Recovery.Updates;

/// <summary>The boot-log event kinds of an A/B install (beside the boot flow's and recovery's).</summary>
public static class UpdateEventKinds
{
    /// <summary>An install began; names the target slot.</summary>
    public static BootEventKind Started { get; } = new("update-started");

    /// <summary>The package's manifest verified and fits the board.</summary>
    public static BootEventKind ManifestVerified { get; } = new("update-manifest-verified");

    /// <summary>A partition's install began.</summary>
    public static BootEventKind PartitionInstalling { get; } = new("update-partition-installing");

    /// <summary>A partition was written and read back verified.</summary>
    public static BootEventKind PartitionInstalled { get; } = new("update-partition-installed");

    /// <summary>The slot verified and was made active with full tries.</summary>
    public static BootEventKind SlotActivated { get; } = new("update-slot-activated");
}
