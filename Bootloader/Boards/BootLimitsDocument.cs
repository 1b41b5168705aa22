namespace RecoverySim.Bootloader.Boards;

/// <summary><c>boot_limits</c> in board.json: every field optional.</summary>
internal sealed class BootLimitsDocument
{
    public int? MaxTries { get; init; }

    public int? MaxBootsBeforeRecovery { get; init; }

    public int? HealthCheckSeconds { get; init; }
}
