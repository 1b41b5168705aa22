using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>One entry of <c>packages</c> in <c>index.json</c>, as the file holds it.</summary>
internal sealed class UpdatePackageDocument
{
    public required string Kind { get; init; }

    public required string ReleaseId { get; init; }

    public required string Version { get; init; }

    public required ulong RollbackIndex { get; init; }

    // Written as null for a full package, never left out.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? FromRelease { get; init; }

    public required string File { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }

    public required string ManifestSha256 { get; init; }
}
