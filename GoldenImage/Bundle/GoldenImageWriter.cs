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

        string? duplicate = options.Partitions.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"partition '{duplicate}' is given twice", nameof(options));
        }

        // Check every text value before reading a byte (these throw ArgumentException).
        foreach (string board in options.BoardIds)
        {
            FieldText.RequireIdentifier(board, "board id", nameof(options));
        }

        _ = options.Partitions.Select(p => new PartitionRelease(p.Name, options.ReleaseId ?? "x", options.Version, options.RollbackIndex, options.BoardIds[0])).ToArray();

        // Step 1 (payload hashes), then the release id, then step 2 (headers, image hashes),
        // each step for several partitions at once.
        var payloads = await ForEachAsync(options, (source, _) => HashPayloadAsync(source, progress, cancel), cancel).ConfigureAwait(false);
        string releaseId = options.ReleaseId ?? DeriveReleaseId(options, payloads);
        var prepared = await ForEachAsync(options, (source, i) =>
        {
            var release = new PartitionRelease(source.Name, releaseId, options.Version, options.RollbackIndex, options.BoardIds[0]);
            PartitionHeader header = PartitionHeader.CreateSigned(release, (ulong)payloads[i].Length, payloads[i].Sha256, options.Key);
            return PrepareMemberAsync(source, header, options, progress, cancel);
        }, cancel).ConfigureAwait(false);

        var manifest = new GoldenImageManifest(options.BoardIds, releaseId, options.Version, options.RollbackIndex,
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

    private static Task WriteEntryAsync(TarWriter tar, string name, Stream data, GoldenImageBuildOptions options, CancellationToken cancel) =>
        WriteEntryAsync(tar, name, data, options.Timestamp, cancel);

    /// <summary>Writes one member as every bundle holds it: a ustar regular file, mode 0644, the given time. Shared with the delta package writer.</summary>
    internal static async Task WriteEntryAsync(TarWriter tar, string name, Stream data, DateTimeOffset timestamp, CancellationToken cancel)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            ModificationTime = timestamp,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        await tar.WriteEntryAsync(entry, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The release id when none is given: derived from what the release contains (board ids,
    /// version, rollback index, partition names, lengths and payload hashes), so that rebuilding
    /// the same release gives the same id and a different release a different one.
    /// </summary>
    private static string DeriveReleaseId(GoldenImageBuildOptions options, PayloadDigest[] payloads)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var text = new System.Text.StringBuilder();
        text.Append(string.Join(",", options.BoardIds)).Append('\n').Append(options.Version).Append('\n').Append(options.RollbackIndex).Append('\n');
        for (int i = 0; i < payloads.Length; i++)
        {
            text.Append(options.Partitions[i].Name).Append(' ').Append(payloads[i].Length).Append(' ').Append(Convert.ToHexStringLower(payloads[i].Sha256)).Append('\n');
        }

        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        return "r-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static async Task<T[]> ForEachAsync<T>(GoldenImageBuildOptions options, Func<GoldenImagePartitionSource, int, Task<T>> work, CancellationToken cancel)
    {
        var results = new T[options.Partitions.Count];
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelism));
        await Task.WhenAll(options.Partitions.Select(async (source, i) =>
        {
            await gate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                results[i] = await Task.Run(() => work(source, i), cancel).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return results;
    }

    /// <summary>Step 1: the payload's length and SHA-256.</summary>
    private static async Task<PayloadDigest> HashPayloadAsync(GoldenImagePartitionSource source, IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        using var payloadHash = new Sha256Consumer();
        long length;
        Stream first = source.OpenPayload();
        await using (first.ConfigureAwait(false))
        {
            long known = first.CanSeek ? first.Length - first.Position : -1;
            var report = progress is null ? null : new SyncProgress<long>(done => progress.Report(new GoldenImageProgress("hash", source.Name, done, known)));
            length = await ChunkPump.PumpAsync(first, GoldenImageManifest.MaxMemberSize - PartitionHeader.Size + 1, [payloadHash.Consumer], null, report, useAsync: true, cancel).ConfigureAwait(false);
        }

        if (length > GoldenImageManifest.MaxMemberSize - PartitionHeader.Size)
        {
            throw new IOException($"partition '{source.Name}': payload over {GoldenImageManifest.MaxMemberSize - PartitionHeader.Size} bytes, the most a golden-image member holds (8 GiB with its header)");
        }

        return new PayloadDigest(length, payloadHash.Finish());
    }

    /// <summary>Step 2: the image hash, and the compressed size when compressing.</summary>
    private static async Task<PreparedPartition> PrepareMemberAsync(GoldenImagePartitionSource source, PartitionHeader header, GoldenImageBuildOptions options,
        IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        long length = (long)header.PayloadLength;
        long size = PartitionHeader.Size + length;
        using var imageHash = new Sha256Consumer();
        imageHash.Append(header.RawBytes.Span);
        using var memberHash = new Sha256Consumer();
        var counter = new CountingWriteStream(Stream.Null, memberHash);
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
            var report = progress is null ? null : new SyncProgress<long>(done => progress.Report(new GoldenImageProgress(stage, source.Name, PartitionHeader.Size + done, size)));
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

        string sha256 = Convert.ToHexStringLower(imageHash.Finish());
        string memberSha256 = zstd is null ? sha256 : Convert.ToHexStringLower(memberHash.Finish());
        var entry = new ManifestPartition(source.Name, ManifestPartition.MemberNameFor(source.Name, options.Compression), size, options.Compression,
            compressedSize, sha256, memberSha256);
        return new PreparedPartition(header, entry);
    }

    private sealed record PreparedPartition(PartitionHeader Header, ManifestPartition Manifest);

    private sealed record PayloadDigest(long Length, byte[] Sha256);
}
