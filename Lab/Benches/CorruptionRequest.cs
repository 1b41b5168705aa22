using RecoverySim.Bootloader.Boards;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// One deliberate damage to a partition (the dashboard's corrupt action), applied through
/// <see cref="PartitionCorruption"/> exactly as <c>board corrupt</c> applies it.
/// </summary>
/// <param name="Partition">The partition name.</param>
/// <param name="Damage"><c>header</c>, <c>range</c> (<see cref="Offset"/>, <see cref="Length"/>), <c>bit-flips</c> (<see cref="Count"/>, <see cref="Seed"/>) or <c>erase</c>.</param>
public sealed record CorruptionRequest(string Partition, string Damage)
{
    /// <summary>The damages, as forms and JSON name them.</summary>
    public static IReadOnlyList<string> Damages { get; } = ["header", "range", "bit-flips", "erase"];

    /// <summary>With <c>range</c>: the first byte inverted.</summary>
    public long Offset { get; init; }

    /// <summary>With <c>range</c>: the bytes inverted.</summary>
    public long Length { get; init; } = 1;

    /// <summary>With <c>bit-flips</c>: how many bits.</summary>
    public int Count { get; init; } = 8;

    /// <summary>With <c>bit-flips</c>: the seed of the positions.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Applies the damage; returns what was done in one line.</summary>
    /// <exception cref="BoardException">No such partition, or the damage does not fit it.</exception>
    public string ApplyTo(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        board.Partition(Partition); // names the partitions when this one does not exist, before anything is written
        return Damage switch
        {
            "header" => PartitionCorruption.DamageHeader(board, Partition),
            "range" => PartitionCorruption.InvertRange(board, Partition, Offset, Length),
            "bit-flips" => PartitionCorruption.FlipBits(board, Partition, Count, Seed),
            "erase" => PartitionCorruption.Erase(board, Partition),
            _ => throw new BoardException($"damage '{Damage}': expected one of {string.Join(", ", Damages)}"),
        };
    }
}
