namespace RecoverySim.Lab.Time;

/// <summary>
/// A clock that moves only when told: <see cref="AdvanceToNextTimer"/> jumps to the earliest
/// armed timer and fires it (the earliest created first among timers due at the same instant).
/// Timeouts, retransmissions and delayed packets then cost no real time and replay exactly, as
/// long as one thread at a time creates timers (an in-memory link drives both of its ends from the
/// thread that waits).
/// </summary>
public sealed class SimulatedClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<Timer> _timers = [];
    private readonly DateTimeOffset _epoch;
    private long _ticks;
    private long _created;

    /// <summary>A clock that starts at <paramref name="epoch"/> (2026-01-01 UTC by default).</summary>
    public SimulatedClock(DateTimeOffset? epoch = null) => _epoch = epoch ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _epoch + TimeSpan.FromTicks(GetTimestamp());

    /// <summary>Time since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(GetTimestamp());

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Timer timer;
        lock (_gate)
        {
            timer = new Timer(this, callback, state, _created++);
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock to the earliest armed timer and fires it; false when none is armed.</summary>
    public bool AdvanceToNextTimer()
    {
        Timer? next = null;
        lock (_gate)
        {
            foreach (Timer timer in _timers)
            {
                if (timer.DueLocked is long due && (next is null || due < next.DueLocked || (due == next.DueLocked && timer.Order < next.Order)))
                {
                    next = timer;
                }
            }

            if (next is null)
            {
                return false;
            }

            Volatile.Write(ref _ticks, Math.Max(_ticks, next.DueLocked!.Value));
            next.Consume();
        }

        next.Invoke();
        return true;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="duration"/>, firing every timer that falls due on
    /// the way, in order (a <c>wait</c> step, the time a simulated boot took).
    /// </summary>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        long target = GetTimestamp() + duration.Ticks;
        while (NextDue() is long due && due <= target)
        {
            AdvanceToNextTimer();
        }

        lock (_gate)
        {
            Volatile.Write(ref _ticks, Math.Max(_ticks, target));
        }
    }

    private long? NextDue()
    {
        lock (_gate)
        {
            long? next = null;
            foreach (Timer timer in _timers)
            {
                if (timer.DueLocked is long due && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    private sealed class Timer(SimulatedClock clock, TimerCallback callback, object? state, long order) : ITimer
    {
        private long? _due;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public long Order { get; } = order;

        public long? DueLocked => _due;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                _period = period;
                _due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._ticks + Math.Max(0, dueTime.Ticks);
            }

            return true;
        }

        public void Consume() => _due = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? null : _due + _period.Ticks;

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                _due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
