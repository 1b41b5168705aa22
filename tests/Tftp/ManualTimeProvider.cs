namespace RecoverySim.Tftp.Tests;

/// <summary>
/// A clock that moves only when told: <see cref="AdvanceToNextTimer"/> jumps to the earliest
/// pending timer and fires it. Timeouts then cost no real time and replay exactly.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> timers = new();
    private long ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (timers)
        {
            timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock to the earliest armed timer and fires it; false when none is armed.</summary>
    public bool AdvanceToNextTimer()
    {
        ManualTimer? next = null;
        lock (timers)
        {
            foreach (ManualTimer timer in timers)
            {
                if (timer.Due is { } due && (next is null || due < next.Due))
                {
                    next = timer;
                }
            }
        }

        if (next is null)
        {
            return false;
        }

        Interlocked.Exchange(ref ticks, Math.Max(ticks, next.Due!.Value));
        next.Fire();
        return true;
    }

    private void Remove(ManualTimer timer)
    {
        lock (timers)
        {
            timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan period = Timeout.InfiniteTimeSpan;

        public long? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            this.period = period;
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetTimestamp() + dueTime.Ticks;
            return true;
        }

        public void Fire()
        {
            Due = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : Due + period.Ticks;
            callback(state);
        }

        public void Dispose()
        {
            Due = null;
            owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
