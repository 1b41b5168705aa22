namespace RecoverySim.Lab.Benches;

/// <summary><c>tftp</c> in bench.json: where the bench's TFTP server listens and the golden image it serves.</summary>
internal sealed class BenchTftpDocument
{
    public required string Address { get; init; }

    public required int Port { get; init; }

    public required string File { get; init; }
}
