namespace RecoverySim.Tftp.Server;

/// <summary>
/// Reclaims the garbage of a burst of requests as soon as the burst is over. Each refused or
/// dropped request leaves a few kilobytes of short-lived objects (the parsed request, the ERROR
/// packet, the log line), and the GC sizes its youngest generation from the CPU's cache, tens of
/// MiB on a server CPU: a flood of a few thousand requests then grows the process by that much
/// before the first collection, flood after flood, until the budget is reached. Collecting the
/// youngest generation once a burst of <see cref="BurstSize"/> datagrams has been handled and the
/// socket has nothing more waiting keeps the resident set at what one burst needs (issue 14,
/// part 3; docs/PERFORMANCE.md, TFTP floods). Generation 1 is collected too: what was still in use
/// at one burst's collection (log lines not yet written) is garbage by the next one, and a gen0
/// collection alone would promote it, burst after burst, into generation 2. A collection of a small
/// heap takes well under a millisecond, once per thousand requests at most.
/// </summary>
/// <remarks>Called from the listening loop only (one thread at a time).</remarks>
internal sealed class BurstCollector
{
    /// <summary>The burst size the server uses.</summary>
    public const int DefaultBurstSize = 1024;

    private readonly Action collect;
    private int handled;

    /// <param name="burstSize">How many datagrams make a burst, at least 1.</param>
    /// <param name="collect">The collection; the server's is a blocking collection of generations 0 and 1 (<see cref="GC.Collect(int, GCCollectionMode, bool)"/>).</param>
    public BurstCollector(int burstSize, Action collect)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burstSize, 1);
        ArgumentNullException.ThrowIfNull(collect);
        BurstSize = burstSize;
        this.collect = collect;
    }

    /// <summary>How many datagrams make a burst.</summary>
    public int BurstSize { get; }

    /// <summary>The server's: a burst of <see cref="DefaultBurstSize"/>, then a blocking collection of generations 0 and 1.</summary>
    public static BurstCollector ForServer() => new(DefaultBurstSize, static () => GC.Collect(1, GCCollectionMode.Forced, blocking: true));

    /// <summary>Counts one handled datagram; true once a burst is complete (the caller then checks that nothing more is waiting and calls <see cref="Collect"/>).</summary>
    public bool CountHandled()
    {
        if (handled < BurstSize)
        {
            handled++;
        }

        return handled >= BurstSize;
    }

    /// <summary>Collects, and starts counting the next burst.</summary>
    public void Collect()
    {
        handled = 0;
        collect();
    }
}
