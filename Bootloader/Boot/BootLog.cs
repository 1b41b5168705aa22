namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// The structured timeline of a power-on: events in order, each stamped with simulated time. One
/// log is the event sink of everything that runs in the power-on (the bootloader, recovery mode,
/// the reboot after it and the OS), so a scenario reads one timeline; an optional observer sees
/// each event as it is added (a live display, a campaign's recorder).
/// </summary>
public sealed class BootLog
{
    private readonly List<BootEvent> _events = [];
    private readonly Action<BootEvent>? _observer;

    /// <summary>Creates a log over <paramref name="clock"/>; <paramref name="observer"/>, when given, sees each event as it is added.</summary>
    public BootLog(BootClock clock, Action<BootEvent>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        _observer = observer;
    }

    /// <summary>The simulated clock the events are stamped with.</summary>
    public BootClock Clock { get; }

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<BootEvent> Events => _events;

    /// <summary>Appends an event of <paramref name="kind"/> at the current simulated time; returns it for chaining.</summary>
    public BootEvent Add(BootEventKind kind, string message, Func<BootEvent, BootEvent>? details = null)
    {
        var e = new BootEvent(Clock.Now, kind, message);
        if (details is not null)
        {
            e = details(e);
        }

        _events.Add(e);
        _observer?.Invoke(e);
        return e;
    }
}
