using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Lab.Updates;

/// <summary>How <see cref="BoardUpdateRun"/> runs a board directory's update agent (<c>recoverysim update</c>'s flags, and the dashboard's "check for updates").</summary>
public sealed record BoardUpdateRunOptions
{
    /// <summary>The update server's base URL instead of board.json's <c>update.server</c>, or null.</summary>
    public Uri? Server { get; init; }

    /// <summary>The user approves the release on offer now.</summary>
    public bool Approve { get; init; }

    /// <summary>Null: one check. A number: poll, up to that many checks, the simulated clock jumping to each next check.</summary>
    public int? MaxChecks { get; init; }

    /// <summary>The simulated clock's start (whole seconds are kept).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The clock of transfers (download rates, timeouts): real time.</summary>
    public TimeProvider TransferTime { get; init; } = TimeProvider.System;

    /// <summary>Receives every event of the agent and of the reboots, as they happen.</summary>
    public Action<BootEvent>? Observer { get; init; }
}
