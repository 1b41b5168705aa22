namespace RecoverySim.Bootloader.Boards;

/// <summary><c>simulation</c> in board.json.</summary>
internal sealed class SimulationDocument
{
    public string? OsHealth { get; init; }

    public string? Network { get; init; }
}
