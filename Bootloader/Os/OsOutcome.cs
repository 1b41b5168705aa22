namespace RecoverySim.Bootloader.Os;

/// <summary>How the simulated OS run ended.</summary>
public enum OsOutcome
{
    /// <summary>Up and running after its health check.</summary>
    Running,

    /// <summary>Hung; the watchdog resets the board.</summary>
    Hung,

    /// <summary>Crashed; the board resets.</summary>
    Crashed,
}
