using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>What to put in a delta package and how to sign it.</summary>
public sealed record DeltaPackageBuildOptions
{
    /// <summary>
    /// The key that signs the package's manifest: the key that signed the target release (its
    /// partition headers, carried unchanged inside the target images, name it).
    /// </summary>
    public required SigningKey Key { get; init; }

    /// <summary>Opens the source release's golden image (the release the devices run), read once.</summary>
    public required Func<Stream> OpenSource { get; init; }

    /// <summary>Opens the target release's golden image, read once.</summary>
    public required Func<Stream> OpenTarget { get; init; }

    /// <summary>Keys either golden image may be signed by; null trusts only the public half of <see cref="Key"/>.</summary>
    public TrustedKeySet? TrustedKeys { get; init; }

    /// <summary>Partitions diffed at the same time (each diff scans on the cores left over). At least 1.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>How a full member is stored when it beats the patch: <see cref="PartitionCompression.None"/> or <see cref="PartitionCompression.Zstd"/>.</summary>
    public PartitionCompression FullCompression { get; init; } = PartitionCompression.Zstd;

    /// <summary>zstd level of full members (1 to 19).</summary>
    public int CompressionLevel { get; init; } = 3;

    /// <summary>Modification time written in every tar header (fixed by default, so builds are reproducible).</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;
}
