namespace RecoverySim.Bootloader.Boards;

/// <summary>The boot-counting limits of a board (board.json <c>boot_limits</c>).</summary>
/// <param name="MaxTries">Tries a newly activated slot gets (1 to 7; Android's boot control allows 7).</param>
/// <param name="MaxBootsBeforeRecovery">
/// Power-ons in a row without the OS marking success after which the bootloader enters recovery
/// (U-Boot <c>bootlimit</c>); the safety net for a successful slot that starts hanging.
/// </param>
/// <param name="HealthCheckSeconds">Simulated seconds from OS start until its health check marks the slot successful.</param>
public readonly record struct BootLimits(int MaxTries, int MaxBootsBeforeRecovery, int HealthCheckSeconds)
{
    /// <summary>Most power-ons allowed before recovery.</summary>
    public const int MaxBootLimit = 1000;

    /// <summary>Longest simulated health check.</summary>
    public const int MaxHealthCheckSeconds = 86400;

    /// <summary>Defaults: 3 tries per slot, recovery after 8 boots without success, a 5-second health check.</summary>
    public static BootLimits Default => new(3, 8, 5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is outside its range.</summary>
    public void Validate()
    {
        if (MaxTries is < 1 or > Control.SlotState.MaxTries)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTries), MaxTries, $"max_tries must be 1 to {Control.SlotState.MaxTries}");
        }

        if (MaxBootsBeforeRecovery is < 1 or > MaxBootLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBootsBeforeRecovery), MaxBootsBeforeRecovery, $"max_boots_before_recovery must be 1 to {MaxBootLimit}");
        }

        if (HealthCheckSeconds is < 0 or > MaxHealthCheckSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(HealthCheckSeconds), HealthCheckSeconds, $"health_check_seconds must be 0 to {MaxHealthCheckSeconds}");
        }
    }
}
