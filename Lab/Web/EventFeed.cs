using System.Threading.Channels;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Lab.Web;

/// <summary>
/// Fans a running bench's <see cref="BenchEvent"/>s out to every open event stream. Each
/// subscriber has its own bounded queue; a stream too slow to keep up loses its oldest events
/// (every event carries the whole state of what it is about, so the next one repairs the view).
/// </summary>
public sealed class EventFeed
{
    /// <summary>Events queued per subscriber before the oldest is dropped.</summary>
    public const int QueueLength = 1024;

    private readonly Lock _lock = new();
    private readonly List<Channel<BenchEvent>> _subscribers = [];

    /// <summary>Open subscriptions.</summary>
    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="e"/> for every subscriber.</summary>
    public void Publish(BenchEvent e)
    {
        lock (_lock)
        {
            foreach (Channel<BenchEvent> subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>Opens a subscription; dispose it to close.</summary>
    public EventSubscription Subscribe()
    {
        Channel<BenchEvent> channel = Channel.CreateBounded<BenchEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        return new EventSubscription(channel, () =>
        {
            lock (_lock)
            {
                _subscribers.Remove(channel);
            }
        });
    }
}
