using System.Text.Json.Serialization;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// One entry of <c>packages</c> in <c>index.json</c>, as the file holds it; also the <c>offered</c>
/// package of the update agent's state file, so both go through one mapping.
/// </summary>
public sealed class UpdatePackageDocument
{

    /// <summary><c>full</c> or <c>delta</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The release installed.</summary>
    public required string ReleaseId { get; init; }

    /// <summary>Its version string.</summary>
    public required string Version { get; init; }

    /// <summary>Its rollback index.</summary>
    public required ulong RollbackIndex { get; init; }

    /// <summary>The release a delta patches; null for a full package (written as null, never left out).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? FromRelease { get; init; }

    /// <summary>The package file name.</summary>
    public required string File { get; init; }

    /// <summary>Bytes of the package file.</summary>
    public required long Size { get; init; }

    /// <summary>SHA-256 of the package file, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-256 of its manifest.json member, lowercase hex.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>The document of <paramref name="package"/>.</summary>
    public static UpdatePackageDocument From(UpdatePackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new UpdatePackageDocument
        {
            Kind = UpdatePackageKindNames.Name(package.Kind),
            ReleaseId = package.ReleaseId,
            Version = package.Version,
            RollbackIndex = package.RollbackIndex,
            FromRelease = package.FromRelease,
            File = package.File,
            Size = package.Size,
            Sha256 = package.Sha256,
            ManifestSha256 = package.ManifestSha256,
        };
    }

    /// <summary>The package this document holds (its kind checked; the other fields by <see cref="UpdateIndex.CheckPackage"/>).</summary>
    /// <exception cref="JsonInputException">The kind is neither <c>full</c> nor <c>delta</c>.</exception>
    public UpdatePackage ToPackage(JsonFieldValidator check, string at)
    {
        ArgumentNullException.ThrowIfNull(check);
        UpdatePackageKind kind = check.Choice(at + ".kind", Kind, UpdatePackageKindNames.All);
        return new UpdatePackage(kind, ReleaseId, Version, RollbackIndex, FromRelease, File, Size, Sha256, ManifestSha256);
    }
}
