using System.Text.Json.Serialization;

namespace RecoverySim.Recovery.Updates;

/// <summary><c>offered</c>: the package on offer, as the index lists it.</summary>
internal sealed class OfferedDocument
{
    public required string Kind { get; init; }

    public required string ReleaseId { get; init; }

    public required string Version { get; init; }

    public required ulong RollbackIndex { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? FromRelease { get; init; }

    public required string File { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }

    public required string ManifestSha256 { get; init; }
}
