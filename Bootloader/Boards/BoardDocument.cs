namespace RecoverySim.Bootloader.Boards;

/// <summary><c>board.json</c> as the file holds it (docs/FORMAT.md "board"); <see cref="BoardConfig"/> is the checked value.</summary>
internal sealed class BoardDocument
{
    public required string Format { get; init; }

    public required int Version { get; init; }

    public required string BoardId { get; init; }

    public required string Profile { get; init; }

    public required List<TrustedKeyDocument> TrustedKeys { get; init; }

    public RecoveryDocument? Recovery { get; init; }

    public BootLimitsDocument? BootLimits { get; init; }

    public UpdateDocument? Update { get; init; }

    public SimulationDocument? Simulation { get; init; }
}
