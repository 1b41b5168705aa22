using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Lab.Scenarios;

/// <summary>One event of a scenario's timeline and the step it happened in (<c>$.steps[3]</c>, or <c>campaign</c> after a cut).</summary>
public sealed record TimelineEntry(string Step, BootEvent Event);
