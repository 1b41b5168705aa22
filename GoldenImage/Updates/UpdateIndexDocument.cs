using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary><c>index.json</c> as the file holds it (docs/FORMAT.md "Update index"); <see cref="UpdateIndex"/> is the checked value.</summary>
internal sealed class UpdateIndexDocument
{
    public required string Format { get; init; }

    public required int FormatVersion { get; init; }

    public required string BoardId { get; init; }

    public required string Channel { get; init; }

    public required long Sequence { get; init; }

    public required string IssuedAt { get; init; }

    public required string ExpiresAt { get; init; }

    public required string KeyId { get; init; }

    public required string SignatureAlgorithm { get; init; }

    // Written as null for an empty channel, never left out: every index has the same fields.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required UpdateReleaseDocument? Latest { get; init; }

    public required List<UpdatePackageDocument> Packages { get; init; }
}
