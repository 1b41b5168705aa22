namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The retransmission timer: a token that fires when the timeout passes on the injected
/// <see cref="TimeProvider"/>, or when the transfer is cancelled.
/// </summary>
/// <remarks>
/// Restarting it happens for nearly every packet, so it only moves a deadline (a timestamp).
/// The one timer behind it is armed once and, when it fires early because the deadline moved,
/// re-arms itself for the rest: a timer-queue operation per timeout period, not per packet.
/// Only a timeout that actually fired costs a new token source.
/// </remarks>
internal sealed class ReceiveDeadline : IDisposable
{
    private readonly TimeProvider time;
    private readonly CancellationToken outer;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private CancellationTokenSource source;
    private CancellationTokenRegistration registration;
    private long deadline;
    private bool armed;

    public ReceiveDeadline(TimeProvider time, CancellationToken outer)
    {
        this.time = time;
        this.outer = outer;
        source = Create();
        timer = time.CreateTimer(static state => ((ReceiveDeadline)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The token to pass to the receive.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (gate)
            {
                return source.Token;
            }
        }
    }

    /// <summary>
    /// True when an <see cref="OperationCanceledException"/> from the receive was this timer and
    /// not the caller's cancellation.
    /// </summary>
    public bool IsTimeout => !outer.IsCancellationRequested;

    /// <summary>Starts the timer again from now.</summary>
    public void Restart(TimeSpan timeout)
    {
        lock (gate)
        {
            if (source.IsCancellationRequested && !outer.IsCancellationRequested)
            {
                registration.Dispose();
                source.Dispose();
                source = Create();
            }

            deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
            if (!armed)
            {
                armed = true;
                timer.Change(timeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        timer.Dispose();
        registration.Dispose();
        source.Dispose();
    }

    private void OnTimer()
    {
        CancellationTokenSource? expired = null;
        lock (gate)
        {
            long remaining = deadline - time.GetTimestamp();
            if (remaining > 0)
            {
                timer.Change(TimeSpan.FromSeconds((double)remaining / time.TimestampFrequency), Timeout.InfiniteTimeSpan);
            }
            else
            {
                armed = false;
                expired = source;
            }
        }

        try
        {
            // Outside the lock: cancellation runs the receive's callbacks.
            expired?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The transfer ended meanwhile.
        }
    }

    private CancellationTokenSource Create()
    {
        var created = new CancellationTokenSource();
        registration = outer.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), created);
        return created;
    }
}
