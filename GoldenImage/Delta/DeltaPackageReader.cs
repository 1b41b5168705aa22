using System.Formats.Tar;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Opens a delta package (docs/FORMAT.md "Delta packages") and verifies it, with the golden-image
/// reader's own checks and in its order: <c>manifest.json</c> and <c>manifest.sig</c> with their
/// sizes bounded, the signature with a trusted key before anything of the manifest is believed,
/// the manifest's fields (it must be a delta package's), key, board id and rollback index; then
/// each member in manifest order, its tar size checked against the manifest before a byte is read
/// and its stored bytes hashed against <c>compressed_sha256</c>; then the end of the archive. The
/// package must be seekable (a downloaded file): a patch is read from three places at once when
/// it is applied (<see cref="VerifiedDeltaPackage.ApplyAsync"/>).
/// </summary>
public static class DeltaPackageReader
{
    /// <summary>
    /// Verifies the delta package that is the whole of <paramref name="package"/> (read from its
    /// start), which must stay open for <see cref="VerifiedDeltaPackage.ApplyAsync"/>.
    /// </summary>
    /// <exception cref="ImageFormatException">Bad structure, size or hash.</exception>
    /// <exception cref="SignatureException">The manifest is not signed by a trusted key.</exception>
    /// <exception cref="ImagePolicyException">Wrong board, or a rollback index below the minimum.</exception>
    public static async Task<VerifiedDeltaPackage> OpenAsync(Stream package, GoldenImageReadOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(options);
        if (!package.CanSeek || !package.CanRead)
        {
            throw new ArgumentException("a delta package is read from a readable, seekable stream (its patches are read from three places at once)", nameof(package));
        }

        package.Position = 0;
        var guard = new TarStructureGuard(package);
        var tar = new TarReader(guard, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            (GoldenImageManifest manifest, VerificationKey key) = await GoldenImageReader.ReadVerifiedManifestAsync(tar, guard, options, deltaPackage: true, cancel).ConfigureAwait(false);
            var members = new List<DeltaPackageMember>();
            for (int i = 0; i < manifest.Partitions.Count; i++)
            {
                ManifestPartition partition = manifest.Partitions[i];
                TarEntry entry = await GoldenImageReader.NextEntryAsync(tar, guard, $"member '{partition.Member}'", cancel).ConfigureAwait(false)
                    ?? throw new ImageFormatException($"delta package: member '{partition.Member}' is missing (the archive ends after {i + 2} members)", partition.Member, "member");
                GoldenImageReader.CheckMemberOrder(manifest, i, entry);
                if (entry.Length != partition.CompressedSize)
                {
                    throw new ImageFormatException($"{partition.Member}: tar size is {entry.Length} bytes, manifest says {partition.CompressedSize}", partition.Member, "compressed_size");
                }

                long dataAt = guard.BytesRead;
                using var hash = new Sha256Consumer();
                long read = await ChunkPump.PumpAsync(entry.DataStream ?? Stream.Null, entry.Length, [hash.Consumer], null, null, useAsync: true, cancel).ConfigureAwait(false);
                if (read != entry.Length)
                {
                    throw new ImageFormatException($"{partition.Member}: ends after {read} of {entry.Length} bytes (truncated)", partition.Member, "size");
                }

                string stored = Convert.ToHexStringLower(hash.Finish());
                if (stored != partition.CompressedSha256)
                {
                    throw new ImageFormatException($"{partition.Member}: SHA-256 of the member is {stored}, manifest says {partition.CompressedSha256}", partition.Member, "compressed_sha256");
                }

                members.Add(new DeltaPackageMember(partition, dataAt));
            }

            TarEntry? extra = await GoldenImageReader.NextEntryAsync(tar, guard, "the end of the archive", cancel).ConfigureAwait(false);
            if (extra is not null)
            {
                throw new ImageFormatException($"delta package: extra member '{FieldText.Escape(extra.Name)}' after the last partition '{manifest.Partitions[^1].Member}'", extra.Name, "member");
            }

            await guard.RequireEndAsync(cancel).ConfigureAwait(false);
            return new VerifiedDeltaPackage(manifest, key, package, members);
        }
    }
}
