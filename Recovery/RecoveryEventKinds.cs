using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Recovery;

/// <summary>The boot-log event kinds recovery mode adds to the timeline of a power-on.</summary>
public static class RecoveryEventKinds
{
    /// <summary>Recovery mode starts (with the journal's state: fresh, or resuming).</summary>
    public static BootEventKind Started { get; } = new("recovery-started");

    /// <summary>The journal shows an interrupted recovery; it continues from there.</summary>
    public static BootEventKind Resumed { get; } = new("recovery-resumed");

    /// <summary>A source is tried (with the attempt number in <c>count</c>).</summary>
    public static BootEventKind SourceTried { get; } = new("source-tried");

    /// <summary>A source failed, with the reason.</summary>
    public static BootEventKind SourceFailed { get; } = new("source-failed");

    /// <summary>The golden image's manifest is signed by a trusted key and fits this board.</summary>
    public static BootEventKind ManifestVerified { get; } = new("golden-manifest-verified");

    /// <summary>A partition install starts (with the resume offset in <c>bytes</c>).</summary>
    public static BootEventKind PartitionInstalling { get; } = new("partition-installing");

    /// <summary>A partition is written, flushed and read back verified.</summary>
    public static BootEventKind PartitionInstalled { get; } = new("partition-installed");

    /// <summary>A slot holds the verified golden release.</summary>
    public static BootEventKind SlotVerified { get; } = new("slot-verified");

    /// <summary>A slot could not be written (a bad medium); recovery goes on without it.</summary>
    public static BootEventKind SlotFailed { get; } = new("slot-failed");

    /// <summary>Recovery finished: the board's slots hold the golden release and the request is cleared.</summary>
    public static BootEventKind Completed { get; } = new("recovery-completed");

    /// <summary>Recovery stopped without fetching: too many recoveries in a row came up unhealthy (the boot-loop guard).</summary>
    public static BootEventKind Stopped { get; } = new("recovery-stopped");

    /// <summary>Every source failed.</summary>
    public static BootEventKind Failed { get; } = new("recovery-failed");

    /// <summary>The board resets after recovery mode.</summary>
    public static BootEventKind Reboot { get; } = new("reboot");
}
