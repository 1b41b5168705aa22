namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The rule that decides whether a receive may poll (<see cref="ReceiveSpin"/>): only while no
/// task on the machine waits for a CPU. A poll spends a CPU that would otherwise be idle to take
/// the wake-up off a round trip; when every CPU is busy (a CPU hog beside an emulated board, a
/// bench of builders), a poller only takes CPU time from the peer, or hands its CPU to another
/// thread with <c>sched_yield</c> and misses the answer it waited for, where a blocked thread is
/// woken by the kernel at once. So polling is allowed while the kernel's CPU pressure (PSI
/// "some": the share of time at least one runnable task waited for a CPU) stayed below
/// <see cref="MaxWaitingShare"/> over the last <see cref="SampleInterval"/>.
/// </summary>
/// <remarks>
/// <para>Our own polls count in that pressure only when they make another task wait, which is
/// exactly when they should stop; a poller alone on an idle CPU adds nothing. The first decision
/// of a fresh process, before two readings exist, uses the kernel's 10 s average.</para>
/// <para>Read cheaply and rarely: the pressure file is read at most once per
/// <see cref="SampleInterval"/>, by whichever receive finds the verdict stale, never by a timer;
/// every other receive reads one volatile field. Without PSI (not Linux, an older kernel,
/// <c>psi=0</c>) the rule cannot tell, and never polls: blocking is never slower than polling
/// under load, and only a little slower on an idle machine.</para>
/// </remarks>
internal sealed class CpuContention
{
    /// <summary>How long one verdict holds before the pressure is read again.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The share of time some task may have waited for a CPU with polling still allowed.</summary>
    public const double MaxWaitingShare = 0.05;

    // Beyond this many seconds since the last reading, the 10 s average says more than the difference.
    private const long StaleAfter = 10;

    private readonly TimeProvider time;
    private readonly ICpuPressureSource source;
    private readonly long interval;
    private long nextSample;
    private long lastTimestamp;
    private long lastWaiting = -1;
    private int sampling;
    private volatile bool allowed;

    /// <param name="time">The clock that times the samples.</param>
    /// <param name="source">Where the pressure comes from.</param>
    public CpuContention(TimeProvider time, ICpuPressureSource source)
    {
        this.time = time;
        this.source = source;
        interval = Math.Max(1, (long)(SampleInterval.TotalSeconds * time.TimestampFrequency));
        nextSample = long.MinValue;
    }

    /// <summary>The rule every transfer of this process shares, on the system clock and <c>/proc/pressure/cpu</c>.</summary>
    public static CpuContention Process { get; } = new(TimeProvider.System, new ProcPressureSource());

    /// <summary>The share of time some task waited for a CPU at the last sample (0 to 1), or null before any.</summary>
    public double? LastWaitingShare { get; private set; }

    /// <summary>True while polling is allowed: the last sample found the CPUs uncontended.</summary>
    public bool AllowsPolling()
    {
        long now = time.GetTimestamp();
        if (now >= Volatile.Read(ref nextSample) && Interlocked.CompareExchange(ref sampling, 1, 0) == 0)
        {
            try
            {
                Sample(now);
            }
            finally
            {
                Volatile.Write(ref sampling, 0);
            }
        }

        return allowed;
    }

    private void Sample(long now)
    {
        Volatile.Write(ref nextSample, now + interval);
        if (!source.TryRead(out CpuPressure pressure))
        {
            LastWaitingShare = null;
            allowed = false;
            return;
        }

        double share;
        if (lastWaiting < 0 || pressure.WaitingMicroseconds < lastWaiting || now <= lastTimestamp || now - lastTimestamp > StaleAfter * time.TimestampFrequency)
        {
            // No earlier reading, one too old to say anything about now (no transfer for a while),
            // or a counter that went back: the kernel's own 10 s average.
            share = pressure.Average10Percent / 100;
        }
        else
        {
            double elapsedMicroseconds = (now - lastTimestamp) * 1e6 / time.TimestampFrequency;
            share = Math.Min(1, (pressure.WaitingMicroseconds - lastWaiting) / elapsedMicroseconds);
        }

        lastWaiting = pressure.WaitingMicroseconds;
        lastTimestamp = now;
        LastWaitingShare = share;
        allowed = share < MaxWaitingShare;
    }
}
