using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>What to put in a golden image and how to sign it.</summary>
public sealed record GoldenImageBuildOptions
{
    /// <summary>The key that signs the manifest and every partition header.</summary>
    public required SigningKey Key { get; init; }

    /// <summary>The boards the image is for; partition headers carry the first.</summary>
    public required IReadOnlyList<string> BoardIds { get; init; }

    /// <summary>
    /// The release id, shared by every partition header; null to derive one from the content
    /// (<c>r-</c> and 16 hex digits of a SHA-256 over board ids, version, rollback index and the
    /// partitions' names, lengths and payload hashes).
    /// </summary>
    public string? ReleaseId { get; init; }

    /// <summary>The version string.</summary>
    public required string Version { get; init; }

    /// <summary>The rollback index of the release.</summary>
    public required ulong RollbackIndex { get; init; }

    /// <summary>The partitions, in the order of their members.</summary>
    public required IReadOnlyList<GoldenImagePartitionSource> Partitions { get; init; }

    /// <summary>How to store each partition member.</summary>
    public PartitionCompression Compression { get; init; } = PartitionCompression.None;

    /// <summary>zstd level when compressing (1 to 19).</summary>
    public int CompressionLevel { get; init; } = 3;

    /// <summary>Modification time written in every tar header (fixed by default, so builds are reproducible).</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Partitions hashed at the same time (each hash is one core).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}
