using System.Formats.Tar;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Partitions;
using ZstdSharp;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// Builds a golden image (docs/FORMAT.md "Golden-image bundle"), streaming: memory stays at a
/// few 1 MiB chunks per partition whatever the partition sizes.
/// </summary>
/// <remarks>
/// The manifest comes first in the archive but holds every partition's hash and member size,
/// so each payload is read more than once: (1) hash the payload and sign its header; (2) hash
/// header + payload (and, when compressing, compress it into a byte counter to learn the member
/// size: zstd output is deterministic for a given input and level); then the archive is written
/// front to back: manifest, signature, and each member copied (or compressed again) straight
/// into the output. Steps 1 and 2 run for several partitions at once, one core each. The output
/// needs no seeking, so it may be a pipe.
/// </remarks>
public static class GoldenImageWriter
{
    /// <summary>Builds the golden image described by <paramref name="options"/> into <paramref name="output"/>.</summary>
    /// <returns>The manifest written.</returns>
    /// <exception cref="ArgumentException">A bad option (name, board id, version, duplicate partition).</exception>
    /// <exception cref="IOException">A payload could not be read, or is over the 8 GiB member limit.</exception>
    public static async Task<GoldenImageManifest> WriteAsync(GoldenImageBuildOptions options, Stream output,
        IProgress<GoldenImageProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.Partitions.Count is 0 or > GoldenImageManifest.MaxPartitions)
        {
            throw new ArgumentException($"a golden image holds 1 to {GoldenImageManifest.MaxPartitions} partitions, got {options.Partitions.Count}", nameof(options));
        }

        if (options.BoardIds.Count == 0)
        {
            throw new ArgumentException("a golden image needs at least one board id", nameof(options));
        }

        if (options.CompressionLevel is < 1 or > 19)
        {
            throw new ArgumentException($"zstd level {options.CompressionLevel}: expected 1 to 19", nameof(options));
        }

        var releases = options.Partitions.Select(p => new PartitionRelease(p.Name, options.ReleaseId, options.Version, options.RollbackIndex, options.BoardIds[0])).ToArray();
        string? duplicate = options.Partitions.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"partition '{duplicate}' is given twice", nameof(options));
        }

        // Steps 1 and 2, several partitions at once.
        var prepared = new PreparedPartition[options.Partitions.Count];
        using (var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelism)))
        {
            await Task.WhenAll(options.Partitions.Select(async (source, i) =>
            {
                await gate.WaitAsync(cancel).ConfigureAwait(false);
                try
                {
                    prepared[i] = await Task.Run(() => PrepareAsync(source, releases[i], options, progress, cancel), cancel).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        var manifest = new GoldenImageManifest(options.BoardIds, options.ReleaseId, options.Version, options.RollbackIndex,
            options.Key.KeyId, options.Key.Algorithm, prepared.Select(p => p.Manifest).ToArray());
        byte[] manifestBytes = manifest.ToJson();
        if (manifestBytes.Length > GoldenImageManifest.MaxLength)
        {
            throw new ArgumentException($"manifest.json would be {manifestBytes.Length} bytes, over the {GoldenImageManifest.MaxLength}-byte limit", nameof(options));
        }

        byte[] signature = options.Key.Sign(manifestBytes);

        var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            await WriteEntryAsync(tar, GoldenImageManifest.ManifestMember, new MemoryStream(manifestBytes, writable: false), options, cancel).ConfigureAwait(false);
            await WriteEntryAsync(tar, GoldenImageManifest.SignatureMember, new MemoryStream(signature, writable: false), options, cancel).ConfigureAwait(false);
            for (int i = 0; i < prepared.Length; i++)
            {
                PreparedPartition p = prepared[i];
                string name = p.Manifest.Name;
                Action<long>? report = progress is null ? null : done => progress.Report(new GoldenImageProgress("write", name, done, p.Manifest.Size));
                using var data = new PartitionMemberStream(p.Header.ToArray(), options.Partitions[i].OpenPayload, (long)p.Header.PayloadLength,
                    options.Compression, options.CompressionLevel, p.Manifest.CompressedSize, report);
                await WriteEntryAsync(tar, p.Manifest.Member, data, options, cancel).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancel).ConfigureAwait(false);
        return manifest;
    }

    private static async Task WriteEntryAsync(TarWriter tar, string name, Stream data, GoldenImageBuildOptions options, CancellationToken cancel)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            ModificationTime = options.Timestamp,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        await tar.WriteEntryAsync(entry, cancel).ConfigureAwait(false);
    }

    private static async Task<PreparedPartition> PrepareAsync(GoldenImagePartitionSource source, PartitionRelease release, GoldenImageBuildOptions options,
        IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        // Step 1: the payload hash, and with it the signed header.
        using var payloadHash = new Sha256Consumer();
        long length;
        Stream first = source.OpenPayload();
        await using (first.ConfigureAwait(false))
        {
            long known = first.CanSeek ? first.Length - first.Position : -1;
            var report = progress is null ? null : new SyncProgress(done => progress.Report(new GoldenImageProgress("hash", source.Name, done, known)));
            length = await ChunkPump.PumpAsync(first, GoldenImageManifest.MaxMemberSize - PartitionHeader.Size + 1, [payloadHash.Consumer], null, report, useAsync: true, cancel).ConfigureAwait(false);
        }

        if (length > GoldenImageManifest.MaxMemberSize - PartitionHeader.Size)
        {
            throw new IOException($"partition '{source.Name}': payload over {GoldenImageManifest.MaxMemberSize - PartitionHeader.Size} bytes, the most a golden-image member holds (8 GiB with its header)");
        }

        PartitionHeader header = PartitionHeader.CreateSigned(release, (ulong)length, payloadHash.Finish(), options.Key);
        long size = PartitionHeader.Size + length;

        // Step 2: the image hash, and the compressed size when compressing.
        using var imageHash = new Sha256Consumer();
        imageHash.Append(header.RawBytes.Span);
        var counter = new CountingWriteStream(Stream.Null);
        CompressionStream? zstd = null;
        if (options.Compression == PartitionCompression.Zstd)
        {
            zstd = new CompressionStream(counter, options.CompressionLevel, leaveOpen: true);
            zstd.SetPledgedSrcSize((ulong)size);
            await zstd.WriteAsync(header.RawBytes, cancel).ConfigureAwait(false);
        }

        Stream second = source.OpenPayload();
        await using (second.ConfigureAwait(false))
        {
            string stage = zstd is null ? "image-hash" : "compress";
            var report = progress is null ? null : new SyncProgress(done => progress.Report(new GoldenImageProgress(stage, source.Name, PartitionHeader.Size + done, size)));
            long again = await ChunkPump.PumpAsync(second, length + 1, [imageHash.Consumer], zstd, report, useAsync: true, cancel).ConfigureAwait(false);
            if (again != length)
            {
                throw new IOException($"partition '{source.Name}': payload was {length} bytes, then {again}: it changed during the build");
            }
        }

        long compressedSize = size;
        if (zstd is not null)
        {
            await zstd.DisposeAsync().ConfigureAwait(false);
            compressedSize = counter.Count;
            if (compressedSize > GoldenImageManifest.MaxMemberSize)
            {
                throw new IOException($"partition '{source.Name}': compressed member of {compressedSize} bytes is over the 8 GiB member limit");
            }
        }

        var entry = new ManifestPartition(source.Name, ManifestPartition.MemberNameFor(source.Name, options.Compression), size, options.Compression,
            compressedSize, Convert.ToHexStringLower(imageHash.Finish()));
        return new PreparedPartition(header, entry);
    }

    private sealed record PreparedPartition(PartitionHeader Header, ManifestPartition Manifest);
}
