using System.Buffers;

namespace RecoverySim.Lab.Network;

/// <summary>
/// Holds delayed packets in due-time order and releases them when the injected clock says so.
/// One queue for the whole relay, ordered by (due time, arrival sequence), so that packets with
/// equal delays leave in the order they came. One timer from the <see cref="TimeProvider"/>
/// wakes the delivery loop at the next due time: no polling, and a fake clock drives it exactly.
/// </summary>
internal sealed class DeliveryScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly PriorityQueue<ScheduledPacket, (long Due, long Sequence)> _queue = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ITimer _timer;
    private readonly double _ticksPerTimeSpanTick;
    private long _sequence;

    public DeliveryScheduler(TimeProvider time)
    {
        _time = time;
        _ticksPerTimeSpanTick = (double)time.TimestampFrequency / TimeSpan.TicksPerSecond;
        _timer = time.CreateTimer(static state => ((DeliveryScheduler)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues <paramref name="packet"/> to leave <paramref name="delay"/> from now.</summary>
    public void Schedule(ScheduledPacket packet, TimeSpan delay)
    {
        long due = _time.GetTimestamp() + (long)(delay.Ticks * _ticksPerTimeSpanTick);
        lock (_gate)
        {
            _queue.Enqueue(packet, (due, _sequence++));
        }

        Wake();
    }

    /// <summary>Delivers due packets through <paramref name="deliver"/> until cancelled.</summary>
    public async Task RunAsync(Action<ScheduledPacket> deliver, CancellationToken cancel)
    {
        var due = new List<ScheduledPacket>();
        while (true)
        {
            try
            {
                await _wake.WaitAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            long now = _time.GetTimestamp();
            long next = 0;
            bool more = false;
            lock (_gate)
            {
                while (_queue.TryPeek(out ScheduledPacket packet, out (long Due, long Sequence) priority))
                {
                    if (priority.Due > now)
                    {
                        next = priority.Due;
                        more = true;
                        break;
                    }

                    _queue.Dequeue();
                    due.Add(packet);
                }
            }

            foreach (ScheduledPacket packet in due)
            {
                try
                {
                    deliver(packet);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(packet.Buffer);
                }
            }

            due.Clear();
            if (more)
            {
                TimeSpan wait = _time.GetElapsedTime(now, next);
                if (wait <= TimeSpan.Zero)
                {
                    Wake();
                }
                else
                {
                    _timer.Change(wait, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>Packets still queued.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            while (_queue.TryDequeue(out ScheduledPacket packet, out _))
            {
                ArrayPool<byte>.Shared.Return(packet.Buffer);
            }
        }

        _wake.Dispose();
    }

    private void Wake()
    {
        // Extra wake-ups are harmless (the loop finds nothing due); a missed one is not, so
        // release whenever the count looks empty.
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // A timer firing during Dispose: nothing left to deliver.
        }
    }
}
