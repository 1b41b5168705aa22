using System.Formats.Tar;
using System.Security.Cryptography;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// Summarises one package file for an update index in one pass over it: the first two tar
/// members (<c>manifest.json</c> and <c>manifest.sig</c>, bounded and structure-checked as
/// <see cref="GoldenImageReader"/> does), the manifest parsed strictly and, when keys are given,
/// its signature verified; the rest of the file is only hashed, for the index's <c>sha256</c> and
/// <c>size</c>. The payloads are not verified here: the client verifies the whole package.
/// </summary>
public static class PackageSummaryReader
{
    private const int ChunkSize = 1 << 20;

    /// <summary>Summarises the package in <paramref name="package"/>, read from its start to its end.</summary>
    /// <param name="package">The package file's bytes.</param>
    /// <param name="file">The file name, as the index lists it.</param>
    /// <param name="trustedKeys">When not empty, the manifest must be signed by one of them.</param>
    /// <param name="cancel">Stops the read.</param>
    /// <exception cref="ImageFormatException">Not a package: bad tar structure or manifest, or a file over the index's size limit.</exception>
    /// <exception cref="SignatureException">The manifest is not signed by a trusted key.</exception>
    public static async Task<PackageSummary> ReadAsync(Stream package, string file, TrustedKeySet? trustedKeys = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (!UpdateIndex.IsPackageFileName(file))
        {
            throw new ArgumentException($"'{file}' is not a package file name (A-Z a-z 0-9 . _ -, ending in {UpdateIndex.PackageExtension})", nameof(file));
        }

        using var hash = new Sha256Consumer();
        var counted = new HashingReadStream(package, hash);
        byte[] manifestBytes, signature;
        var guard = new TarStructureGuard(counted);
        var tar = new TarReader(guard, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            (manifestBytes, signature) = await GoldenImageReader.ReadManifestMembersAsync(tar, guard, cancel).ConfigureAwait(false);
        }

        GoldenImageManifest manifest = GoldenImageManifest.Parse(manifestBytes);
        if (trustedKeys is { Count: > 0 })
        {
            VerificationKey key = trustedKeys.FindSigner(manifestBytes, signature)
                ?? throw new SignatureException($"{file}: {GoldenImageManifest.SignatureMember} does not verify with any trusted package key (trusted: {trustedKeys.Describe()}; the manifest names {manifest.KeyId})", file, "signature");
            if (manifest.KeyId != key.KeyId)
            {
                throw new SignatureException($"{file}: {GoldenImageManifest.ManifestMember} field key_id is {manifest.KeyId}, but it is signed by key {key.KeyId}", file, "key_id");
            }
        }

        byte[] buffer = new byte[ChunkSize];
        while (await counted.ReadAsync(buffer, cancel).ConfigureAwait(false) > 0)
        {
            if (counted.BytesRead > UpdateIndex.MaxPackageSize)
            {
                throw new ImageFormatException($"{file}: over the {UpdateIndex.MaxPackageSize}-byte limit of a package", file, "size");
            }
        }

        // A delta package's manifest names the release it applies to (docs/FORMAT.md "Delta packages").
        var entry = new UpdatePackage(manifest.IsDeltaPackage ? UpdatePackageKind.Delta : UpdatePackageKind.Full, manifest.ReleaseId, manifest.Version, manifest.RollbackIndex,
            manifest.Source?.ReleaseId, file,
            counted.BytesRead, Convert.ToHexStringLower(hash.Finish()), Convert.ToHexStringLower(SHA256.HashData(manifestBytes)));
        return new PackageSummary(entry, manifest.BoardIds);
    }
}
