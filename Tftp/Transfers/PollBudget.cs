namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// Decides, for one transfer, whether its next receive polls before it blocks. A poll pays
/// when the peer answers soon: it saves the wake-up of a blocked thread and costs the time it
/// spins. A peer that answers late (an emulated board whose CPU is busy taking a whole window,
/// a slow link) makes every poll cost nearly the whole limit for the same saving, and that
/// time is taken from whatever else could run, often the peer itself. So a transfer polls
/// while its recent polls were cheap: the running mean of the time they took (a hit counts the
/// time until its datagram came, a miss the whole limit; each new poll weighs
/// 1/<see cref="Weight"/>) must stay at most a quarter of the limit. Above that it blocks, and
/// probes with one poll every <see cref="ProbeInterval"/> receives; a probe that hits within
/// the quarter starts polling again at once, any other probe only joins the mean.
/// </summary>
/// <remarks>
/// Pure bookkeeping on timestamps (ticks of one clock), so the rule is tested against a model
/// without sockets or timing. Not thread-safe: one transfer, one thread.
/// </remarks>
internal sealed class PollBudget
{
    /// <summary>Receives between two probe polls while backed off.</summary>
    public const int ProbeInterval = 64;

    /// <summary>The mean's memory: each poll moves it 1/<see cref="Weight"/> of the way to its own time.</summary>
    public const int Weight = 8;

    private readonly long limit;
    private readonly long cheap;
    private long mean;
    private int skipped;
    private bool probing;

    /// <param name="limit">The longest poll, in ticks; a poll's time counts at most this much.</param>
    public PollBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        this.limit = limit;
        cheap = limit / 4;
    }

    /// <summary>The running mean of the polls' times, in ticks (0 before any poll: a new transfer polls).</summary>
    public long Mean => mean;

    /// <summary>The mean above which the transfer stops polling: a quarter of the limit.</summary>
    public long Cheap => cheap;

    /// <summary>Whether the recent polls cost too much and the transfer now mostly blocks.</summary>
    public bool BackedOff => mean > cheap;

    /// <summary>Whether the next receive polls; while backed off, true once every <see cref="ProbeInterval"/> calls.</summary>
    public bool ShouldPoll()
    {
        if (!BackedOff)
        {
            return true;
        }

        if (++skipped < ProbeInterval)
        {
            return false;
        }

        skipped = 0;
        probing = true;
        return true;
    }

    /// <summary>A poll ended after <paramref name="spent"/> ticks, with a datagram when <paramref name="hit"/>.</summary>
    public void Record(long spent, bool hit)
    {
        spent = Math.Clamp(spent, 0, limit);
        if (probing)
        {
            probing = false;
            if (hit && spent <= cheap)
            {
                mean = spent; // the peer answers soon again: start afresh
                skipped = 0;
                return;
            }
        }

        mean += (spent - mean) / Weight;
    }
}
