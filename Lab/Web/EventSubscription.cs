using System.Threading.Channels;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Lab.Web;

/// <summary>One open event stream's queue of an <see cref="EventFeed"/>; dispose it to close.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Channel<BenchEvent> _channel;
    private readonly Action _remove;

    internal EventSubscription(Channel<BenchEvent> channel, Action remove)
    {
        _channel = channel;
        _remove = remove;
    }

    /// <summary>The events, in the order they were published.</summary>
    public ChannelReader<BenchEvent> Events => _channel.Reader;

    /// <summary>Closes the subscription.</summary>
    public void Dispose()
    {
        _remove();
        _channel.Writer.TryComplete();
    }
}
