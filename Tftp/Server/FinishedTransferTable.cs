using System.Net;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// The requests whose transfer ended a moment ago, each until its window closes, so that the
/// server drops a delayed or duplicated repeat of one (see <see cref="TftpServer"/>). Bounded: at
/// most <see cref="Capacity"/> entries; when it is full the oldest entry is evicted, so a flood
/// from many ports costs a fixed amount of memory. An evicted request that is repeated after all
/// is served again: the price is one wasted transfer, never memory. Every entry has the same
/// window, so entries expire in the order they were added, and expired ones are removed from the
/// oldest end as new ones come in.
/// </summary>
/// <remarks>Called from the listening loop and from every transfer's thread: one lock guards it.</remarks>
internal sealed class FinishedTransferTable
{
    /// <summary>The capacity the server uses: about 4 MiB at most, even with 512-byte file names.</summary>
    public const int DefaultCapacity = 4096;

    private readonly Lock gate = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> entries = new();
    private readonly LinkedList<Entry> oldestFirst = new();

    /// <param name="capacity">The most entries kept, at least 1.</param>
    public FinishedTransferTable(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most entries kept.</summary>
    public int Capacity { get; }

    /// <summary>The entries kept now (expired ones may still count until the next <see cref="Add"/>).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Remembers that the transfer of this request ended; a repeat is dropped until <paramref name="until"/>.</summary>
    /// <param name="client">The client's endpoint (address and port).</param>
    /// <param name="operation">Read or write.</param>
    /// <param name="fileName">The requested name.</param>
    /// <param name="now">The current timestamp (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <param name="until">The timestamp at which the window closes.</param>
    public void Add(IPEndPoint client, TftpOperation operation, string fileName, long now, long until)
    {
        var key = new Key(client, operation, fileName);
        lock (gate)
        {
            while (oldestFirst.First is { } oldest && oldest.Value.Until <= now)
            {
                Remove(oldest);
            }

            if (entries.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                Remove(existing);
            }

            while (entries.Count >= Capacity)
            {
                Remove(oldestFirst.First!);
            }

            entries[key] = oldestFirst.AddLast(new Entry(key, until));
        }
    }

    /// <summary>True when this request's transfer ended and its window is still open at <paramref name="now"/>.</summary>
    public bool Contains(IPEndPoint client, TftpOperation operation, string fileName, long now)
    {
        lock (gate)
        {
            return entries.TryGetValue(new Key(client, operation, fileName), out LinkedListNode<Entry>? node) && now < node.Value.Until;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        entries.Remove(node.Value.Key);
        oldestFirst.Remove(node);
    }

    private readonly record struct Key(IPEndPoint Client, TftpOperation Operation, string FileName);

    private readonly record struct Entry(Key Key, long Until);
}
