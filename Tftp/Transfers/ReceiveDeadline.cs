namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The retransmission timer: a token that fires when the timeout passes on the injected
/// <see cref="TimeProvider"/>, or when the transfer is cancelled. Restarting reuses the same
/// source (no allocation per packet); only a timeout that actually fired costs a new one.
/// </summary>
internal sealed class ReceiveDeadline : IDisposable
{
    private readonly TimeProvider time;
    private readonly CancellationToken outer;
    private CancellationTokenSource source;
    private CancellationTokenRegistration registration;

    public ReceiveDeadline(TimeProvider time, CancellationToken outer)
    {
        this.time = time;
        this.outer = outer;
        source = Create();
    }

    /// <summary>The token to pass to the receive.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Starts the timer again from now.</summary>
    public void Restart(TimeSpan timeout)
    {
        if (!source.TryReset())
        {
            registration.Dispose();
            source.Dispose();
            source = Create();
        }

        source.CancelAfter(timeout);
    }

    /// <summary>
    /// True when an <see cref="OperationCanceledException"/> from the receive was this timer and
    /// not the caller's cancellation.
    /// </summary>
    public bool IsTimeout => !outer.IsCancellationRequested;

    public void Dispose()
    {
        registration.Dispose();
        source.Dispose();
    }

    private CancellationTokenSource Create()
    {
        var created = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        registration = outer.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), created);
        return created;
    }
}
