namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// A token bucket of bytes: <see cref="Rate"/> bytes a second flow in, up to one second's worth
/// is held, and a sender takes a packet's bytes before it sends. A packet larger than what is
/// held still goes once the bucket is not in debt, so any block size passes at any rate. Time
/// comes from a <see cref="TimeProvider"/>, so tests wait on a manual clock, never the wall clock.
/// Shared by the transfers of one client: thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly double capacity;
    private double tokens;
    private long last;

    public TokenBucket(long rate, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1);
        Rate = rate;
        this.time = time;
        capacity = rate;
        tokens = capacity;
        last = time.GetTimestamp();
    }

    /// <summary>Bytes per second.</summary>
    public long Rate { get; }

    /// <summary>Takes <paramref name="bytes"/>; returns how long the caller must wait before sending them (zero when it may send now).</summary>
    public TimeSpan Take(int bytes)
    {
        lock (gate)
        {
            long now = time.GetTimestamp();
            tokens = Math.Min(capacity, tokens + ((now - last) * (double)Rate / time.TimestampFrequency));
            last = now;
            double debt = -tokens;
            tokens -= bytes;
            return debt > 0 ? TimeSpan.FromSeconds(debt / Rate) : TimeSpan.Zero;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> and waits until they may be sent; blocks the thread when <paramref name="synchronous"/>.</summary>
    public ValueTask WaitAsync(int bytes, bool synchronous, CancellationToken cancel)
    {
        TimeSpan wait = Take(bytes);
        if (wait <= TimeSpan.Zero)
        {
            return ValueTask.CompletedTask;
        }

        Task delay = Task.Delay(wait, time, cancel);
        if (synchronous)
        {
            // A transfer that owns its thread stays on it (DedicatedThread).
            delay.GetAwaiter().GetResult();
            return ValueTask.CompletedTask;
        }

        return new ValueTask(delay);
    }
}
