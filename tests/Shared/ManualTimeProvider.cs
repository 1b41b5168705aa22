namespace RecoverySim.Testing;

/// <summary>
/// A clock that moves only when the test says so. <see cref="Advance"/> moves it forward and fires
/// every timer that falls due on the way; <see cref="AdvanceToNextTimer"/> jumps to the earliest
/// armed timer and fires it. Timeouts and delays then cost no real time and replay exactly.
/// Shared by the test projects (linked from tests/Shared).
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = new();
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target = GetTimestamp() + by.Ticks;
        while (FireNext(target))
        {
        }

        lock (_gate)
        {
            Volatile.Write(ref _ticks, Math.Max(GetTimestamp(), target));
        }
    }

    /// <summary>Moves the clock to the earliest armed timer and fires it; false when none is armed.</summary>
    public bool AdvanceToNextTimer() => FireNext(long.MaxValue);

    internal Lock Gate => _gate;

    internal void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    // Fires the earliest timer due at or before limit (moving the clock to its due time); false when none is.
    private bool FireNext(long limit)
    {
        ManualTimer? next = null;
        lock (_gate)
        {
            foreach (ManualTimer timer in _timers)
            {
                if (timer.Due is long due && due <= limit && (next is null || due < next.Due))
                {
                    next = timer;
                }
            }

            if (next is null)
            {
                return false;
            }

            Volatile.Write(ref _ticks, Math.Max(GetTimestamp(), next.Due!.Value));
        }

        next.Fire();
        return true;
    }
}
