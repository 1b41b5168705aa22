namespace RecoverySim.Testing;

/// <summary>A timer of <see cref="ManualTimeProvider"/>: due times in the provider's ticks.</summary>
public sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
{
    private long? _due;
    private TimeSpan _period = Timeout.InfiniteTimeSpan;

    /// <summary>The next firing time in ticks, or null when stopped.</summary>
    public long? Due
    {
        get
        {
            lock (owner.Gate)
            {
                return _due;
            }
        }
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (owner.Gate)
        {
            _period = period;
            _due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetTimestamp() + Math.Max(0, dueTime.Ticks);
        }

        return true;
    }

    public void Fire()
    {
        lock (owner.Gate)
        {
            _due = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? null : _due + _period.Ticks;
        }

        callback(state);
    }

    public void Dispose()
    {
        lock (owner.Gate)
        {
            _due = null;
        }

        owner.Remove(this);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
