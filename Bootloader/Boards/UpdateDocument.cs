namespace RecoverySim.Bootloader.Boards;

/// <summary><c>update</c> in board.json: every field optional.</summary>
internal sealed class UpdateDocument
{
    public string? Server { get; init; }

    public string? Channel { get; init; }

    public string? DeviceId { get; init; }

    public bool? WifiOnly { get; init; }

    public string? MaintenanceWindow { get; init; }

    public bool? RequireApproval { get; init; }

    public int? PollIntervalSeconds { get; init; }

    public long? MinRateBytesPerSecond { get; init; }

    public int? RateWindowSeconds { get; init; }
}
