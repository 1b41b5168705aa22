using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Lab.Benches;

/// <summary>What <see cref="Bench.CreateAsync"/> makes (docs/FORMAT.md "Bench directory").</summary>
public sealed record BenchCreateOptions
{
    /// <summary>Boards on the bench: <c>board-1</c> to <c>board-N</c>, 1 to <see cref="BenchConfig.MaxBoards"/>.</summary>
    public int Boards { get; init; } = 2;

    /// <summary>The board id of every board and of the golden image.</summary>
    public string BoardId { get; init; } = "rsim-bench";

    /// <summary>The bench's TFTP port, written into bench.json and every board's board.json.</summary>
    public int TftpPort { get; init; } = 6969;

    /// <summary>The algorithm of the bench's signing key.</summary>
    public SignatureAlgorithm Algorithm { get; init; } = SignatureAlgorithm.Ed25519;

    /// <summary>The seed of the golden image's payload bytes and of the disks' GPT GUIDs.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The golden image's version string.</summary>
    public string Version { get; init; } = "1.0.0";

    /// <summary>The golden image's rollback index.</summary>
    public ulong RollbackIndex { get; init; } = 1;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field out of range.</summary>
    public void Validate()
    {
        if (Boards is < 1 or > BenchConfig.MaxBoards)
        {
            throw new ArgumentOutOfRangeException(nameof(Boards), Boards, $"boards: expected 1 to {BenchConfig.MaxBoards}");
        }

        if (TftpPort is < 1 or > System.Net.IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(TftpPort), TftpPort, $"tftp port: expected 1 to {System.Net.IPEndPoint.MaxPort}");
        }

        ArgumentException.ThrowIfNullOrEmpty(BoardId);
        ArgumentException.ThrowIfNullOrEmpty(Version);
    }
}
