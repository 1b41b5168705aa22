using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Recovery.Updates;

/// <summary>What the update agent is given from outside (everything injectable: time, the reboot, the settings, the event sink).</summary>
public sealed record UpdateAgentOptions
{
    /// <summary>The calendar: index expiry, the maintenance window, report times, poll waits. Required.</summary>
    public required TimeProvider Clock { get; init; }

    /// <summary>What download rates and stalls are measured on; null for <see cref="Clock"/>.</summary>
    public TimeProvider? TransferTime { get; init; }

    /// <summary>
    /// Restarts the board after an install and lets it settle (power-ons until the OS marks a slot
    /// successful or the tries run out and the board falls back). Required.
    /// </summary>
    public required Func<CancellationToken, Task> Reboot { get; init; }

    /// <summary>The settings as they are now, read at every check (a change between checks takes effect); null for the board's own.</summary>
    public Func<BoardConfig>? Settings { get; init; }

    /// <summary>The server's base URL instead of the policy's, or null.</summary>
    public Uri? Server { get; init; }

    /// <summary>Where the agent's events go besides the result.</summary>
    public Action<BootEvent>? Observer { get; init; }

    /// <summary>Payload bytes between the installer's flushes.</summary>
    public long DurableInterval { get; init; } = 32L << 20;

    /// <summary>Bytes between the download's flushes.</summary>
    public int DownloadDurableInterval { get; init; } = 1 << 20;
}
