namespace RecoverySim.Bootloader.Boot;

/// <summary>The structured log of one power-on: events in order, each stamped with simulated time.</summary>
public sealed class BootLog
{
    private readonly List<BootEvent> _events = [];

    /// <summary>Creates a log over <paramref name="clock"/>.</summary>
    public BootLog(BootClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
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
        return e;
    }
}
