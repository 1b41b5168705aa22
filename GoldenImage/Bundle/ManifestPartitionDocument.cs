namespace RecoverySim.GoldenImage.Bundle;

/// <summary>One entry of <c>partitions</c> in <c>manifest.json</c>, as the file holds it.</summary>
internal sealed class ManifestPartitionDocument
{
    public required string Name { get; init; }

    public required string Member { get; init; }

    /// <summary>Delta packages only.</summary>
    public string? Kind { get; init; }

    public required long Size { get; init; }

    public required string Compression { get; init; }

    public required long CompressedSize { get; init; }

    public required string Sha256 { get; init; }

    public required string CompressedSha256 { get; init; }

    /// <summary>Delta packages only.</summary>
    public long? SourceSize { get; init; }

    /// <summary>Delta packages only.</summary>
    public string? SourceSha256 { get; init; }
}
