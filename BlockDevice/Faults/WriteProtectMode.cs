namespace RecoverySim.BlockDevice.Faults;

/// <summary>How a write-protected range answers a write.</summary>
public enum WriteProtectMode
{
    /// <summary>The write fails with a <see cref="MediumException"/> and nothing of it is written.</summary>
    Error,

    /// <summary>The write returns success but its protected sectors keep their content (as some eMMC power-on write protect does).</summary>
    SilentlyIgnore,
}
