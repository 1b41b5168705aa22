namespace RecoverySim.GoldenImage.Bundle;

/// <summary><c>manifest.json</c> as the file holds it (docs/FORMAT.md "Golden-image bundle"); <see cref="GoldenImageManifest"/> is the checked value.</summary>
internal sealed class ManifestDocument
{
    public required string Format { get; init; }

    public required int FormatVersion { get; init; }

    public required List<string> BoardIds { get; init; }

    public required string ReleaseId { get; init; }

    public required string Version { get; init; }

    /// <summary>Delta packages only.</summary>
    public string? SourceReleaseId { get; init; }

    /// <summary>Delta packages only.</summary>
    public string? SourceVersion { get; init; }

    public required ulong RollbackIndex { get; init; }

    public required string KeyId { get; init; }

    public required string SignatureAlgorithm { get; init; }

    public required List<ManifestPartitionDocument> Partitions { get; init; }
}
