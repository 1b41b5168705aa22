namespace RecoverySim.Lab.Network;

/// <summary>Thread-safe counters behind <see cref="RelayDirectionStatistics"/>.</summary>
internal sealed class DirectionCounters
{
    private long _received;
    private long _forwarded;
    private long _dropped;
    private long _duplicated;
    private long _reordered;
    private long _unrouted;
    private long _sendFailures;

    public void Received() => Interlocked.Increment(ref _received);

    public void Forwarded() => Interlocked.Increment(ref _forwarded);

    public void Dropped() => Interlocked.Increment(ref _dropped);

    public void Duplicated() => Interlocked.Increment(ref _duplicated);

    public void Reordered() => Interlocked.Increment(ref _reordered);

    public void Unrouted() => Interlocked.Increment(ref _unrouted);

    public void SendFailed() => Interlocked.Increment(ref _sendFailures);

    public RelayDirectionStatistics Snapshot()
    {
        // Read the "outcome" counters before Received so that InFlight never goes negative
        // while packets are moving.
        long forwarded = Interlocked.Read(ref _forwarded);
        long failures = Interlocked.Read(ref _sendFailures);
        long dropped = Interlocked.Read(ref _dropped);
        long duplicated = Interlocked.Read(ref _duplicated);
        long reordered = Interlocked.Read(ref _reordered);
        long unrouted = Interlocked.Read(ref _unrouted);
        long received = Interlocked.Read(ref _received);
        return new RelayDirectionStatistics(received, forwarded, dropped, duplicated, reordered, unrouted, failures);
    }
}
