using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Bootloader.Os;

/// <summary>
/// The OS that runs after the kernel starts. It runs its health check for a simulated
/// <c>healthCheck</c> duration and then marks the slot successful, unless its
/// <see cref="OsHealth"/> says it hangs (never marks) or crashes first. Time is the boot's
/// simulated clock: nothing sleeps.
/// </summary>
public sealed class SimulatedOs
{
    private readonly OsHealth _health;
    private readonly TimeSpan _healthCheck;

    /// <summary>Creates the OS with its behaviour and the length of its health check.</summary>
    public SimulatedOs(OsHealth health, TimeSpan healthCheck)
    {
        if (healthCheck < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(healthCheck), healthCheck, "the health check cannot take negative time");
        }

        _health = health;
        _healthCheck = healthCheck;
    }

    /// <summary>Runs the OS on <paramref name="log"/>'s clock, calling <paramref name="hal"/> when it marks success.</summary>
    public OsOutcome Run(BootLog log, IBootControlHal hal)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(hal);
        TimeSpan started = log.Clock.Elapsed;
        log.Add(BootEventKind.OsStarted, $"OS started ({_health}); health check takes {_healthCheck.TotalSeconds:0.###} s");
        switch (_health.Kind)
        {
            case OsHealthKind.Hang:
                log.Add(BootEventKind.OsHung, "OS hung before marking the slot successful; the watchdog resets the board");
                return OsOutcome.Hung;
            case OsHealthKind.CrashAfter when _health.CrashAfter < _healthCheck:
                log.Clock.AdvanceTo(started + _health.CrashAfter);
                log.Add(BootEventKind.OsCrashed, $"OS crashed {_health.CrashAfter.TotalSeconds:0.###} s after start, before its health check passed");
                return OsOutcome.Crashed;
        }

        log.Clock.AdvanceTo(started + _healthCheck);
        hal.MarkBootSuccessful();
        if (_health.Kind == OsHealthKind.CrashAfter)
        {
            log.Clock.AdvanceTo(started + _health.CrashAfter);
            log.Add(BootEventKind.OsCrashed, $"OS crashed {_health.CrashAfter.TotalSeconds:0.###} s after start, after marking the slot successful");
            return OsOutcome.Crashed;
        }

        return OsOutcome.Running;
    }
}
