using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Lab.Scenarios;

/// <summary>The timeline event kinds the Lab adds beside the boot flow's, recovery's and the installer's.</summary>
public static class LabEventKinds
{
    /// <summary>A scenario step begins.</summary>
    public static BootEventKind Step { get; } = new("step");

    /// <summary>Power was cut; names the crash id.</summary>
    public static BootEventKind PowerCut { get; } = new("power-cut");

    /// <summary>The OS hung or crashed before it marked its slot successful: the watchdog resets the board.</summary>
    public static BootEventKind WatchdogReset { get; } = new("watchdog-reset");

    /// <summary>The board did not settle within its power-ons.</summary>
    public static BootEventKind BootLoop { get; } = new("boot-loop");

    /// <summary>An expectation held.</summary>
    public static BootEventKind ExpectationHeld { get; } = new("expectation-held");

    /// <summary>An expectation failed.</summary>
    public static BootEventKind ExpectationFailed { get; } = new("expectation-failed");

    /// <summary>A step failed the way a real one would (an update refused): the scenario goes on.</summary>
    public static BootEventKind StepRefused { get; } = new("step-refused");
}
