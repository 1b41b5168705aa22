namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// One package the update index lists (docs/FORMAT.md "Update index", <c>packages</c>): what it
/// installs, what it installs over (a delta), and the file's name, size and hashes, which bind the
/// index to the exact bytes the server sends and to the package's own signed manifest.
/// </summary>
/// <param name="Kind">Full or delta.</param>
/// <param name="ReleaseId">The release the package installs.</param>
/// <param name="Version">That release's version string.</param>
/// <param name="RollbackIndex">That release's rollback index.</param>
/// <param name="FromRelease">For a delta, the release it patches (the running slot must hold it); null for a full package.</param>
/// <param name="File">The package file name, the last segment of its URL.</param>
/// <param name="Size">Bytes of the package file: a client never reads more.</param>
/// <param name="Sha256">SHA-256 of the whole package file, 64 lowercase hex digits (the server's strong ETag too).</param>
/// <param name="ManifestSha256">SHA-256 of the package's <c>manifest.json</c> member, 64 lowercase hex digits.</param>
public sealed record UpdatePackage(UpdatePackageKind Kind, string ReleaseId, string Version, ulong RollbackIndex, string? FromRelease,
    string File, long Size, string Sha256, string ManifestSha256)
{
    /// <summary>The release this package installs.</summary>
    public UpdateRelease Target => new(ReleaseId, Version, RollbackIndex);
}
