using System.Formats.Tar;
using System.Security.Cryptography;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using ZstdSharp;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Builds a delta package (docs/FORMAT.md "Delta packages") from two golden images: each is read
/// and verified (signature, headers, hashes) by <see cref="GoldenImageReader"/> with its
/// partition images kept in memory; then, several partitions at once, each target image is
/// diffed against the source image of the same name (<see cref="BsDiff"/>) and stored as the
/// patch or, when that is not smaller, as the full image; then the manifest (the target's
/// release, the source's release id and version, per partition the source and target sizes and
/// hashes) is signed and the archive written front to back, in the golden image's shape.
/// </summary>
public static class DeltaPackageWriter
{
    /// <summary>Builds the package into <paramref name="output"/> (which need not seek).</summary>
    /// <returns>The manifest written.</returns>
    /// <exception cref="ArgumentException">Bad options, or releases that do not fit together (the message names the field and both values).</exception>
    /// <exception cref="ImageException">A golden image does not verify.</exception>
    public static async Task<GoldenImageManifest> WriteAsync(DeltaPackageBuildOptions options, Stream output, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallelism, 1, nameof(options));
        if (options.FullCompression == PartitionCompression.Bsdiff40 || options.CompressionLevel is < 1 or > 19)
        {
            throw new ArgumentException($"full members are stored as none or zstd at level 1 to 19, got {options.FullCompression} at level {options.CompressionLevel}", nameof(options));
        }

        var trusted = options.TrustedKeys ?? new TrustedKeySet([options.Key.PublicKey]);
        (GoldenImageManifest from, Dictionary<string, byte[]> sourceImages) = await ReadAsync(options.OpenSource, "source release", trusted, cancel).ConfigureAwait(false);
        (GoldenImageManifest to, Dictionary<string, byte[]> targetImages) = await ReadAsync(options.OpenTarget, "target release", trusted, cancel).ConfigureAwait(false);
        if (to.KeyId != options.Key.KeyId)
        {
            throw new ArgumentException($"the target release {to.ReleaseId} has key_id {to.KeyId} (its partition headers name it); the package must be signed by that key, not {options.Key.KeyId}", nameof(options));
        }

        string? missing = to.Partitions.Select(p => p.Name).FirstOrDefault(name => from.Find(name) is null);
        if (missing is not null)
        {
            throw new ArgumentException($"partition '{missing}' is in the target release {to.ReleaseId} but not in the source release {from.ReleaseId} (partitions {string.Join(", ", from.Partitions.Select(p => p.Name))})", nameof(options));
        }

        // Each diff gets the cores the partition-level parallelism leaves.
        int degree = Math.Min(options.MaxParallelism, to.Partitions.Count);
        var diff = new BsDiffOptions { MaxParallelism = Math.Max(1, Environment.ProcessorCount / degree) };
        var members = new (ManifestPartition Entry, byte[] Bytes)[to.Partitions.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, to.Partitions.Count), new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancel }, (i, token) =>
        {
            ManifestPartition target = to.Partitions[i];
            members[i] = Member(target, sourceImages[target.Name], targetImages[target.Name], options, diff, token);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        var manifest = new GoldenImageManifest(to.BoardIds, to.ReleaseId, to.Version, to.RollbackIndex, options.Key.KeyId, options.Key.Algorithm,
            [.. members.Select(m => m.Entry)], new DeltaSourceRelease(from.ReleaseId, from.Version));
        byte[] manifestBytes = manifest.ToJson();
        byte[] signature = options.Key.Sign(manifestBytes);
        var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            await GoldenImageWriter.WriteEntryAsync(tar, GoldenImageManifest.ManifestMember, new MemoryStream(manifestBytes, writable: false), options.Timestamp, cancel).ConfigureAwait(false);
            await GoldenImageWriter.WriteEntryAsync(tar, GoldenImageManifest.SignatureMember, new MemoryStream(signature, writable: false), options.Timestamp, cancel).ConfigureAwait(false);
            foreach ((ManifestPartition entry, byte[] bytes) in members)
            {
                await GoldenImageWriter.WriteEntryAsync(tar, entry.Member, new MemoryStream(bytes, writable: false), options.Timestamp, cancel).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancel).ConfigureAwait(false);
        return manifest;
    }

    private static async Task<(GoldenImageManifest, Dictionary<string, byte[]>)> ReadAsync(Func<Stream> open, string what, TrustedKeySet trusted, CancellationToken cancel)
    {
        var collector = new ImageCollector(what);
        Stream stream = open();
        await using (stream.ConfigureAwait(false))
        {
            VerifiedGoldenImage verified = await GoldenImageReader.ReadAsync(stream, new GoldenImageReadOptions(trusted) { VerifyPayloadHashes = false }, collector, null, cancel).ConfigureAwait(false);
            return (verified.Manifest, collector.Images);
        }
    }

    /// <summary>One partition's member: the patch, or the full image when the patch is not smaller.</summary>
    private static (ManifestPartition, byte[]) Member(ManifestPartition target, byte[] source, byte[] image, DeltaPackageBuildOptions options, BsDiffOptions diff, CancellationToken cancel)
    {
        using var patchStream = new MemoryStream();
        BsDiff.Create(source, image, patchStream, diff, cancel);
        byte[] patch = patchStream.ToArray();
        byte[] full = options.FullCompression == PartitionCompression.Zstd ? new Compressor(options.CompressionLevel).Wrap(image).ToArray() : image;
        bool usePatch = patch.Length < full.Length;
        PartitionCompression compression = usePatch ? PartitionCompression.Bsdiff40 : options.FullCompression;
        byte[] stored = usePatch ? patch : full;
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(image));
        string storedSha256 = compression == PartitionCompression.None ? sha256 : Convert.ToHexStringLower(SHA256.HashData(stored));
        var entry = new ManifestPartition(target.Name, ManifestPartition.MemberNameFor(target.Name, compression), image.Length, compression, stored.Length, sha256, storedSha256)
        {
            Delta = new PartitionDelta(usePatch ? DeltaMemberKind.Patch : DeltaMemberKind.Full, source.Length, Convert.ToHexStringLower(SHA256.HashData(source))),
        };
        return (entry, stored);
    }
}
