namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// The checks of an <c>expect</c> step; null fields are not checked. They look at the last
/// <c>power-on</c> step's result and at the board as it is.
/// </summary>
public sealed record Expectation
{
    /// <summary><c>booted</c>, <c>recovered</c>, <c>bricked</c> or <c>boot-loop</c> (did not settle within its boots).</summary>
    public string? Outcome { get; init; }

    /// <summary>The slot running at the end.</summary>
    public string? Slot { get; init; }

    /// <summary>The release (scenario name) running at the end.</summary>
    public string? Release { get; init; }

    /// <summary>Whether <c>userdata</c> must be byte for byte as the factory left it.</summary>
    public bool? UserdataIntact { get; init; }

    /// <summary>Event kinds that must appear in the last power-on's timeline.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    /// <summary>Event kinds that must not appear in it.</summary>
    public IReadOnlyList<string> EventsAbsent { get; init; } = [];

    /// <summary>Exactly this many power-ons in the last power-on step.</summary>
    public int? Boots { get; init; }

    /// <summary>At most this many power-ons in the last power-on step.</summary>
    public int? MaxBootsTaken { get; init; }
}
