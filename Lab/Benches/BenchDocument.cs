namespace RecoverySim.Lab.Benches;

/// <summary><c>bench.json</c> as the file holds it (docs/FORMAT.md "Bench directory"); <see cref="BenchConfig"/> is the checked value.</summary>
internal sealed class BenchDocument
{
    public required string Format { get; init; }

    public required int Version { get; init; }

    public required string BoardId { get; init; }

    public required List<string> Boards { get; init; }

    public required BenchTftpDocument Tftp { get; init; }
}
