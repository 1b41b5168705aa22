namespace RecoverySim.Bootloader.Boot;

/// <summary>How a power-on ended (<c>outcome</c> in <c>boot --json</c>).</summary>
public enum BootOutcome
{
    /// <summary>A verified slot's kernel started (the OS health is reported beside it).</summary>
    Booted,

    /// <summary>No slot can boot, or recovery was requested: recovery mode must run.</summary>
    RecoveryRequired,

    /// <summary>Recovery mode ran and the board then booted (reported by recovery mode, a later layer).</summary>
    Recovered,

    /// <summary>Nothing can boot and recovery could not help (reported by recovery mode, a later layer).</summary>
    Bricked,
}
