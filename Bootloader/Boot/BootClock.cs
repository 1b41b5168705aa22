namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// Simulated time of one power-on: starts at the injected <see cref="TimeProvider"/>'s now and
/// moves only when the simulation says so (an OS running its health check, a crash after N
/// seconds), so nothing really sleeps and a replay gives the same times.
/// </summary>
public sealed class BootClock
{
    /// <summary>Starts the clock at <paramref name="time"/>'s current UTC time.</summary>
    public BootClock(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Start = time.GetUtcNow();
        Now = Start;
    }

    /// <summary>When the power came on.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The current simulated time.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Time since power-on.</summary>
    public TimeSpan Elapsed => Now - Start;

    /// <summary>Moves simulated time forward by <paramref name="duration"/> (never back).</summary>
    public void Advance(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "simulated time only moves forward");
        }

        Now += duration;
    }

    /// <summary>Moves simulated time to <paramref name="sinceStart"/> after power-on, if that is later than now.</summary>
    public void AdvanceTo(TimeSpan sinceStart)
    {
        if (Start + sinceStart > Now)
        {
            Now = Start + sinceStart;
        }
    }
}
