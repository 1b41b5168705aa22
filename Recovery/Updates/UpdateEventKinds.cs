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

    /// <summary>The agent checked the server: the verified index and what it offers this board.</summary>
    public static BootEventKind Checked { get; } = new("update-checked");

    /// <summary>The agent waits: for Wi-Fi, for the user's approval, or for the maintenance window.</summary>
    public static BootEventKind Deferred { get; } = new("update-deferred");

    /// <summary>A package download began at byte 0.</summary>
    public static BootEventKind DownloadStarted { get; } = new("update-download-started");

    /// <summary>A package download continued from the durable bytes of an earlier one.</summary>
    public static BootEventKind DownloadResumed { get; } = new("update-download-resumed");

    /// <summary>The server sent the whole file instead of the range asked for: the download began again.</summary>
    public static BootEventKind DownloadRestarted { get; } = new("update-download-restarted");

    /// <summary>The whole package is held and its SHA-256 is the index's.</summary>
    public static BootEventKind DownloadCompleted { get; } = new("update-download-completed");

    /// <summary>An install was interrupted (a power cut) before the target slot was made active: it starts again.</summary>
    public static BootEventKind Interrupted { get; } = new("update-interrupted");

    /// <summary>The agent refused the index or the package; names the check.</summary>
    public static BootEventKind Refused { get; } = new("update-refused");

    /// <summary>A check, download or install failed for a reason that may pass.</summary>
    public static BootEventKind Failed { get; } = new("update-failed");

    /// <summary>The new release booted and was marked successful.</summary>
    public static BootEventKind Installed { get; } = new("update-installed");

    /// <summary>The new release did not come up healthy; the board runs the previous one.</summary>
    public static BootEventKind RolledBack { get; } = new("update-rolled-back");

    /// <summary>An install report reached the server (or was kept to send later).</summary>
    public static BootEventKind Reported { get; } = new("update-reported");
}
