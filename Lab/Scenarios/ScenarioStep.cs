using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;

namespace RecoverySim.Lab.Scenarios;

/// <summary>One step of a scenario. <see cref="Path"/> is where it stands in the file (<c>$.steps[3]</c>).</summary>
public abstract record ScenarioStep(string Path)
{
    /// <summary>The step's kind, as the file spells it.</summary>
    public abstract string Kind { get; }
}

/// <summary>
/// An A/B update to <paramref name="Release"/>, installed into the other slot by the update
/// agent's installer: from the full package, or (<paramref name="Delta"/>) from a delta package
/// made from the release the board runs.
/// </summary>
public sealed record UpdateStep(string Path, string Release, bool Delta = false) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "update";
}

/// <summary>
/// One check of the board's update agent against the bench's update server (in memory, with
/// ranges): the signed index offers <paramref name="Release"/> as a full package, and (with
/// <paramref name="Delta"/>) a delta from the release the board runs; the agent downloads into
/// the download area (a region of the board's eMMC after its partitions, so the campaign cuts its
/// writes with the install's), installs, reboots and decides. With <paramref name="InterruptAfterBytes"/>
/// the connection breaks after that many bytes of the package: the check fails, and the next
/// <c>ota</c> step resumes the download.
/// </summary>
public sealed record OtaStep(string Path, string Release, bool Delta, long? InterruptAfterBytes) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "ota";
}

/// <summary>The OS (or a user) asks for recovery at the next power-on, from <paramref name="Source"/>.</summary>
public sealed record RequestRecoveryStep(string Path, RecoverySource Source) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "request-recovery";
}

/// <summary>Damage to a partition: its header, a payload range, seeded bit flips, an erase, or boot control block copies.</summary>
public sealed record CorruptStep(string Path, string Partition, CorruptionKind What, long Offset, long Length, int Count, BootControlCopies Copies) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "corrupt";
}

/// <summary>One partition written with another release's image (a partial manual flash).</summary>
public sealed record FlashPartitionStep(string Path, string Partition, string Release) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "flash-partition";
}

/// <summary>A sector that fails every read and write from now on, at <paramref name="Offset"/> bytes into <paramref name="Partition"/>.</summary>
public sealed record BadSectorStep(string Path, string Partition, long Offset) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "bad-sector";
}

/// <summary>How the OS behaves at later power-ons.</summary>
public sealed record OsHealthStep(string Path, OsHealth Health) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "os-health";
}

/// <summary>
/// Power is cut during the next <c>update</c> or <c>power-on</c> step: after write <paramref name="Write"/>
/// of it (or at a point drawn from the seed when null), optionally tearing that write or losing
/// the volatile write cache.
/// </summary>
public sealed record PowerCutStep(string Path, int? Write, bool Torn, bool CacheLoss) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "power-cut";
}

/// <summary>Power on and run until the board settles: the OS marks a slot successful, or recovery gives up, within <paramref name="MaxBoots"/> power-ons.</summary>
public sealed record PowerOnStep(string Path, int MaxBoots) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "power-on";
}

/// <summary>The TFTP server goes up, down, or lossy, or serves another release.</summary>
public sealed record TftpStep(string Path, TftpSourceState State) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "tftp";
}

/// <summary>The USB stick is plugged in (with a release) or pulled.</summary>
public sealed record UsbStep(string Path, UsbSourceState State) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "usb";
}

/// <summary>Simulated time passes.</summary>
public sealed record WaitStep(string Path, int Seconds) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "wait";
}

/// <summary>Checks of the last power-on and of the board.</summary>
public sealed record ExpectStep(string Path, Expectation Expect) : ScenarioStep(Path)
{
    /// <inheritdoc/>
    public override string Kind => "expect";
}

/// <summary>What a <c>corrupt</c> step damages.</summary>
public enum CorruptionKind
{
    /// <summary>Four bytes of the partition header are inverted, so its CRC no longer matches.</summary>
    Header,

    /// <summary><c>length</c> bytes at <c>offset</c> into the payload are inverted.</summary>
    Payload,

    /// <summary><c>count</c> seeded bits of the payload are flipped (bit rot).</summary>
    BitFlips,

    /// <summary>The whole partition is zeroed.</summary>
    Erase,

    /// <summary>Copies of the boot control block in <c>misc</c> are damaged.</summary>
    BootControl,
}

/// <summary>Which boot control block copies a <c>corrupt</c> step damages.</summary>
public enum BootControlCopies
{
    /// <summary>Neither (not a boot control step).</summary>
    None,

    /// <summary>Copy 0.</summary>
    Primary,

    /// <summary>Copy 1.</summary>
    Backup,

    /// <summary>Both.</summary>
    Both,
}
