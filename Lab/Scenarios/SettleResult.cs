using RecoverySim.Recovery;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// How a <c>power-on</c> ended: the board powered on (again after each watchdog reset) until the
/// OS marked a slot successful, recovery gave up, or its power-ons ran out.
/// </summary>
/// <param name="Outcome"><c>booted</c>, <c>recovered</c> (a recovery completed on the way), <c>bricked</c> or <c>boot-loop</c>.</param>
/// <param name="Boots">Power-ons taken (the boot flow's, recovery's reset included).</param>
/// <param name="Last">The last power-on sequence's result.</param>
/// <param name="Events">Every event of these power-ons.</param>
public sealed record SettleResult(string Outcome, int Boots, PowerOnResult Last, IReadOnlyList<Bootloader.Boot.BootEvent> Events)
{
    /// <summary>True when the board runs a slot its OS marked successful.</summary>
    public bool Healthy => Outcome is "booted" or "recovered";

    /// <summary>The running slot (a, b), or null.</summary>
    public string? Slot => Healthy ? Last.LastBoot.Slot : null;

    /// <summary>The running release id, or null.</summary>
    public string? ReleaseId => Healthy ? Last.LastBoot.Release : null;
}
