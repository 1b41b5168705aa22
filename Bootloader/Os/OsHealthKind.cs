namespace RecoverySim.Bootloader.Os;

/// <summary>How the simulated OS behaves after the kernel starts.</summary>
public enum OsHealthKind
{
    /// <summary>Passes its health check and marks the slot successful.</summary>
    Healthy = 0,

    /// <summary>Never marks the slot successful: the watchdog resets the board, tries run out.</summary>
    Hang = 1,

    /// <summary>Crashes a given time after start; marks success only if its health check finished first.</summary>
    CrashAfter = 2,
}
