using System.Formats.Tar;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// Reads and verifies a golden image in one streaming pass (the stream need not seek: recovery
/// reads it from TFTP). In order: <c>manifest.json</c> (at most 1 MiB, size checked from the tar
/// header before reading) and <c>manifest.sig</c>; the signature over the exact manifest bytes
/// with a trusted key, before anything else of the manifest is believed; the manifest's fields,
/// board id and rollback index; then each partition member, in manifest order, with its size
/// checked before reading, its partition header checked against the manifest and its signature,
/// and its bytes hashed (image and payload, on two cores) while they stream to the sink; then
/// the end of the archive. Every rejection is an <see cref="ImageException"/> naming the member
/// and the field, expected and found.
/// </summary>
/// <remarks>
/// When the archive is a seekable <see cref="FileStream"/> and no sink is given (verification
/// only), the members are hashed in parallel (<see cref="GoldenImageReadOptions.MaxParallelism"/>),
/// each from its own byte range of the file, while this thread walks the tar structure; the
/// checks are the same.
/// </remarks>
public static class GoldenImageReader
{
    /// <summary>Largest zstd window accepted: 2^23 bytes (8 MiB), so a hostile frame cannot make the decoder allocate more.</summary>
    public const int MaxZstdWindowLog = 23;

    /// <summary>Reads, verifies and delivers a golden image. See the type's remarks for the order of checks.</summary>
    /// <exception cref="ImageFormatException">Bad structure, size or hash.</exception>
    /// <exception cref="SignatureException">Manifest or header not signed by a trusted key.</exception>
    /// <exception cref="ImagePolicyException">Wrong board or rollback index below the minimum.</exception>
    public static async Task<VerifiedGoldenImage> ReadAsync(Stream archive, GoldenImageReadOptions options, GoldenImageSink? sink = null,
        IProgress<GoldenImageProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(options);
        bool parallelFile = sink is null;
        sink ??= new GoldenImageSink();
        var guard = new TarStructureGuard(archive);
        var tar = new TarReader(guard, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            (GoldenImageManifest manifest, VerificationKey key) = await ReadVerifiedManifestAsync(tar, guard, options, deltaPackage: false, cancel).ConfigureAwait(false);
            await sink.OnManifestVerifiedAsync(manifest, cancel).ConfigureAwait(false);

            // A local file read only to verify it: members are verified in parallel, each by
            // positional reads of its own range, while the tar structure is walked here. Any other
            // stream (a TFTP transfer, a sink that stores the partitions) is read in one pass.
            FileStream? file = parallelFile && archive is FileStream { CanSeek: true } fs ? fs : null;

            // Taken once, before any verification task starts: on a buffered FileStream the getter
            // flushes the read buffer and moves the stream's position, which must never race with
            // the tar walk below (it did: a header or padding read at the wrong offset, about once
            // in a thousand reads).
            Microsoft.Win32.SafeHandles.SafeFileHandle? handle = file?.SafeFileHandle;
            using var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelism));
            var pending = new List<Task<PartitionHeader>>();
            try
            {
                for (int i = 0; i < manifest.Partitions.Count; i++)
                {
                    ManifestPartition partition = manifest.Partitions[i];
                    TarEntry entry = await NextEntryAsync(tar, guard, $"member '{partition.Member}'", cancel).ConfigureAwait(false)
                        ?? throw new ImageFormatException($"golden image: member '{partition.Member}' is missing (the archive ends after {i + 2} members)", partition.Member, "member");
                    CheckMemberOrder(manifest, i, entry);
                    if (entry.Length != partition.CompressedSize)
                    {
                        throw new ImageFormatException($"{partition.Member}: tar size is {entry.Length} bytes, manifest says {partition.CompressedSize}", partition.Member, "size");
                    }

                    if (file is null)
                    {
                        pending.Add(Task.FromResult(await ReadPartitionAsync(entry.DataStream ?? Stream.Null, partition, manifest, key, options, sink, progress, cancel).ConfigureAwait(false)));
                        continue;
                    }

                    long dataAt = guard.BytesRead;
                    long available = Math.Max(0, Math.Min(entry.Length, file.Length - dataAt));
                    guard.SkipCurrentMemberData();
                    await gate.WaitAsync(cancel).ConfigureAwait(false);
                    pending.Add(Task.Run(async () =>
                    {
                        try
                        {
                            using var range = new FileRangeStream(handle!, dataAt, available);
                            return await ReadPartitionAsync(range, partition, manifest, key, options, sink, progress, cancel).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }, cancel));
                }

                TarEntry? extra = await NextEntryAsync(tar, guard, "the end of the archive", cancel).ConfigureAwait(false);
                if (extra is not null)
                {
                    throw new ImageFormatException($"golden image: extra member '{FieldText.Escape(extra.Name)}' after the last partition '{manifest.Partitions[^1].Member}'", extra.Name, "member");
                }

                await guard.RequireEndAsync(cancel).ConfigureAwait(false);
            }
            finally
            {
                // Never leave a verification running on the caller's file.
                await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
            }

            var headers = new List<PartitionHeader>();
            foreach (Task<PartitionHeader> task in pending)
            {
                // In member order, so the first damaged member is the one reported.
                headers.Add(await task.ConfigureAwait(false));
            }

            return new VerifiedGoldenImage(manifest, headers, key);
        }
    }

    /// <summary>
    /// The first two members, verified: the signature over the exact manifest bytes with a
    /// trusted key (before anything of the manifest is believed), then the manifest's fields, its
    /// kind (a golden image's or, with <paramref name="deltaPackage"/>, a delta package's), key,
    /// board id and rollback index. Shared by this reader and the delta package reader.
    /// </summary>
    internal static async Task<(GoldenImageManifest Manifest, VerificationKey Key)> ReadVerifiedManifestAsync(TarReader tar, TarStructureGuard guard,
        GoldenImageReadOptions options, bool deltaPackage, CancellationToken cancel)
    {
        (byte[] manifestBytes, byte[] signature) = await ReadManifestMembersAsync(tar, guard, cancel).ConfigureAwait(false);
        VerificationKey key = FindSigner(options.TrustedKeys, manifestBytes, signature);
        GoldenImageManifest manifest = GoldenImageManifest.Parse(manifestBytes);
        if (manifest.IsDeltaPackage != deltaPackage)
        {
            string found = manifest.IsDeltaPackage ? GoldenImageManifest.DeltaFormatName : GoldenImageManifest.FormatName;
            string expected = deltaPackage ? GoldenImageManifest.DeltaFormatName : GoldenImageManifest.FormatName;
            throw new ImageFormatException($"{GoldenImageManifest.ManifestMember}: field format is \"{found}\", expected \"{expected}\" (a {(deltaPackage ? "golden image" : "delta package")} where a {(deltaPackage ? "delta package" : "golden image")} was expected)",
                GoldenImageManifest.ManifestMember, "format");
        }

        CheckManifestAgainstKey(manifest, key);
        CheckPolicy(manifest, options);
        return (manifest, key);
    }

    /// <summary>
    /// Reads <c>manifest.json</c> and <c>manifest.sig</c>, the first two members, with their
    /// sizes bounded before anything is allocated.
    /// </summary>
    internal static async Task<(byte[] Manifest, byte[] Signature)> ReadManifestMembersAsync(TarReader tar, TarStructureGuard guard, CancellationToken cancel)
    {
        const string m = GoldenImageManifest.ManifestMember, s = GoldenImageManifest.SignatureMember;
        TarEntry first = await NextEntryAsync(tar, guard, $"member '{m}'", cancel).ConfigureAwait(false)
            ?? throw new ImageFormatException($"golden image: empty archive, expected '{m}' first", m, "member");
        RequireName(first, m, 0);
        if (first.Length > GoldenImageManifest.MaxLength)
        {
            throw new ImageFormatException($"{m}: {first.Length} bytes, over the {GoldenImageManifest.MaxLength}-byte limit", m, "size");
        }

        byte[] manifest = await ReadExactAsync(first, (int)first.Length, m, cancel).ConfigureAwait(false);

        TarEntry second = await NextEntryAsync(tar, guard, $"member '{s}'", cancel).ConfigureAwait(false)
            ?? throw new ImageFormatException($"golden image: member '{s}' is missing (the archive ends after '{m}')", s, "member");
        RequireName(second, s, 1);
        if (second.Length is 0 or > SignatureAlgorithmNames.MaxSignatureLength)
        {
            throw new ImageFormatException($"{s}: {second.Length} bytes, expected 1 to {SignatureAlgorithmNames.MaxSignatureLength}", s, "size");
        }

        byte[] signature = await ReadExactAsync(second, (int)second.Length, s, cancel).ConfigureAwait(false);
        return (manifest, signature);
    }

    private static VerificationKey FindSigner(TrustedKeySet trusted, byte[] manifest, byte[] signature)
    {
        // Nothing in the manifest is believed before its signature verifies, not even its key id:
        // try each trusted key (a board trusts a handful).
        if (trusted.FindSigner(manifest, signature) is { } key)
        {
            return key;
        }

        // Only to say why: peek at the (unverified) key id the manifest claims.
        KeyId? claimedId = null;
        try
        {
            claimedId = GoldenImageManifest.Parse(manifest).KeyId;
        }
        catch (ImageFormatException)
        {
        }

        string claimed = SignerFields.ClaimedKey(trusted, claimedId, "manifest");

        throw new SignatureException(
            $"{GoldenImageManifest.SignatureMember}: signature over {GoldenImageManifest.ManifestMember} does not verify with any trusted key (trusted: {trusted.Describe()}){claimed}",
            GoldenImageManifest.SignatureMember, "signature");
    }

    private static void CheckManifestAgainstKey(GoldenImageManifest manifest, VerificationKey key)
    {
        if (manifest.KeyId != key.KeyId)
        {
            throw new SignatureException($"{GoldenImageManifest.ManifestMember}: field key_id is {manifest.KeyId}, but the manifest is signed by key {key.KeyId}", GoldenImageManifest.ManifestMember, "key_id");
        }

        if (manifest.SignatureAlgorithm != key.Algorithm)
        {
            throw new SignatureException($"{GoldenImageManifest.ManifestMember}: field signature_algorithm is {SignatureAlgorithmNames.ToName(manifest.SignatureAlgorithm)}, but key {key.KeyId} is {SignatureAlgorithmNames.ToName(key.Algorithm)}", GoldenImageManifest.ManifestMember, "signature_algorithm");
        }
    }

    private static void CheckPolicy(GoldenImageManifest manifest, GoldenImageReadOptions options)
    {
        const string m = GoldenImageManifest.ManifestMember;
        if (options.BoardId is not null && !manifest.BoardIds.Contains(options.BoardId))
        {
            throw new ImagePolicyException($"{m}: field board_ids is [{string.Join(", ", manifest.BoardIds)}], expected it to include board '{options.BoardId}'", m, "board_ids");
        }

        if (manifest.RollbackIndex < options.MinimumRollbackIndex)
        {
            throw new ImagePolicyException($"{m}: field rollback_index is {manifest.RollbackIndex}, below the board's minimum {options.MinimumRollbackIndex} (downgrade refused)", m, "rollback_index");
        }
    }

    internal static void CheckMemberOrder(GoldenImageManifest manifest, int index, TarEntry entry)
    {
        ManifestPartition expected = manifest.Partitions[index];
        if (entry.Name == expected.Member)
        {
            return;
        }

        RequireSafeName(entry.Name);
        int found = -1;
        for (int j = 0; j < manifest.Partitions.Count; j++)
        {
            if (manifest.Partitions[j].Member == entry.Name)
            {
                found = j;
            }
        }

        string name = FieldText.Escape(entry.Name);
        string why = entry.Name is GoldenImageManifest.ManifestMember or GoldenImageManifest.SignatureMember || (found >= 0 && found < index)
            ? $"a duplicate of '{name}'"
            : found > index ? $"'{name}' out of order (the manifest lists it at position {found + 1})" : $"unexpected member '{name}', which the manifest does not list";
        throw new ImageFormatException($"golden image: member {index + 3} is {why}; expected '{expected.Member}'", entry.Name, "member");
    }

    private static async Task<PartitionHeader> ReadPartitionAsync(Stream data, ManifestPartition partition, GoldenImageManifest manifest,
        VerificationKey key, GoldenImageReadOptions options, GoldenImageSink sink, IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        string member = partition.Member;
        DecompressionStream? zstd = null;
        Stream image = data;
        using var storedHash = new Sha256Consumer();
        if (partition.Compression == PartitionCompression.Zstd)
        {
            // The stored (compressed) bytes are hashed as the decoder pulls them: different zstd
            // streams may decode to the same image, and the manifest binds the stored ones too.
            data = new HashingReadStream(data, storedHash);
            zstd = new DecompressionStream(data, bufferSize: 0, checkEndOfStream: true, leaveOpen: true);
            zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, MaxZstdWindowLog);
            image = zstd;
        }

        try
        {
            return await DeliverAsync(image, data, zstd is null ? null : storedHash, partition, manifest, key, options, sink, progress, cancel).ConfigureAwait(false);
        }
        catch (ZstdException e)
        {
            throw new ImageFormatException($"{member}: bad zstd data: {e.Message}", member, "zstd", e);
        }
        finally
        {
            zstd?.Dispose();
        }
    }

    private static async Task<PartitionHeader> DeliverAsync(Stream image, Stream compressed, Sha256Consumer? storedHash, ManifestPartition partition, GoldenImageManifest manifest,
        VerificationKey key, GoldenImageReadOptions options, GoldenImageSink sink, IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        string member = partition.Member;
        byte[] headerBytes = new byte[PartitionHeader.Size];
        int got = await Guarded(() => ChunkPump.ReadChunkAsync(image, headerBytes, headerBytes.Length, useAsync: true, cancel), member).ConfigureAwait(false);
        if (got < PartitionHeader.Size)
        {
            throw new ImageFormatException($"{member}: image ends after {got} bytes, inside its {PartitionHeader.Size}-byte partition header (manifest size {partition.Size})", member, "size");
        }

        PartitionHeader header = PartitionHeader.Parse(headerBytes, member);
        CheckHeader(header, partition, manifest, key);

        Stream? destination = await sink.OpenPartitionAsync(partition, header, cancel).ConfigureAwait(false);
        if (destination is not null)
        {
            await destination.WriteAsync(headerBytes, cancel).ConfigureAwait(false);
        }

        using var imageHash = new Sha256Consumer();
        using var payloadHash = new Sha256Consumer();
        imageHash.Append(headerBytes);
        List<Action<ReadOnlyMemory<byte>>> consumers = options.VerifyPayloadHashes ? [imageHash.Consumer, payloadHash.Consumer] : [imageHash.Consumer];
        long payloadLength = partition.Size - PartitionHeader.Size;
        var pumpProgress = progress is null ? null
            : new SyncProgress<long>(done => progress.Report(new GoldenImageProgress("verify", partition.Name, PartitionHeader.Size + done, partition.Size)));
        long read = await Guarded(() => ChunkPump.PumpAsync(image, payloadLength, consumers, destination, pumpProgress, useAsync: true, cancel), member).ConfigureAwait(false);
        if (read < payloadLength)
        {
            throw new ImageFormatException($"{member}: image ends after {PartitionHeader.Size + read} of {partition.Size} bytes (truncated)", member, "size");
        }

        // Not one byte past the declared size is decompressed (a zstd bomb stops here), and the
        // compressed member must end where its frame ends.
        byte[] probe = new byte[1];
        if (await Guarded(() => ChunkPump.ReadChunkAsync(image, probe, 1, useAsync: true, cancel), member).ConfigureAwait(false) != 0)
        {
            throw new ImageFormatException($"{member}: data expands past the declared size of {partition.Size} bytes", member, "size");
        }

        if (!ReferenceEquals(image, compressed)
            && await Guarded(() => ChunkPump.ReadChunkAsync(compressed, probe, 1, useAsync: true, cancel), member).ConfigureAwait(false) != 0)
        {
            throw new ImageFormatException($"{member}: compressed data continues after the end of the zstd frame", member, "compressed_size");
        }

        string actual = Convert.ToHexStringLower(imageHash.Finish());
        if (actual != partition.Sha256)
        {
            throw new ImageFormatException($"{member}: SHA-256 of the image is {actual}, manifest says {partition.Sha256}", member, "sha256");
        }

        if (options.VerifyPayloadHashes)
        {
            byte[] payload = payloadHash.Finish();
            if (!header.PayloadHashEquals(payload))
            {
                throw new ImageFormatException($"{member}: SHA-256 of the payload is {Convert.ToHexStringLower(payload)}, partition header says {header.PayloadSha256Hex}", member, "payload_sha256");
            }
        }

        if (storedHash is not null)
        {
            // Every stored byte went through the hash: the decoder and the probe above read the member to its end.
            string stored = Convert.ToHexStringLower(storedHash.Finish());
            if (stored != partition.CompressedSha256)
            {
                throw new ImageFormatException($"{member}: SHA-256 of the stored (compressed) member is {stored}, manifest says {partition.CompressedSha256}", member, "compressed_sha256");
            }
        }

        await sink.OnPartitionVerifiedAsync(partition, header, destination, cancel).ConfigureAwait(false);
        return header;
    }

    /// <summary>Checks that a partition header agrees with the manifest and is signed by the manifest's key.</summary>
    internal static void CheckHeader(PartitionHeader header, ManifestPartition partition, GoldenImageManifest manifest, VerificationKey key)
    {
        string member = partition.Member;
        void Expect<T>(string field, T found, T expected)
        {
            if (!EqualityComparer<T>.Default.Equals(found, expected))
            {
                throw new ImageFormatException($"{member}: partition header field {field} is '{found}', manifest says '{expected}'", member, field);
            }
        }

        Expect("partition_name", header.PartitionName, partition.Name);
        Expect("release_id", header.ReleaseId, manifest.ReleaseId);
        Expect("version", header.Version, manifest.Version);
        Expect("rollback_index", header.RollbackIndex, manifest.RollbackIndex);
        Expect("payload_length", header.PayloadLength, (ulong)(partition.Size - PartitionHeader.Size));
        if (!manifest.BoardIds.Contains(header.BoardId))
        {
            throw new ImageFormatException($"{member}: partition header field board_id is '{header.BoardId}', not one of the manifest's board ids [{string.Join(", ", manifest.BoardIds)}]", member, "board_id");
        }

        if (header.KeyId != key.KeyId)
        {
            throw new SignatureException($"{member}: partition header field key_id is {header.KeyId}, expected the manifest's key {key.KeyId}", member, "key_id");
        }

        if (!header.VerifySignature(key))
        {
            throw new SignatureException($"{member}: partition header signature does not verify with key {key.KeyId}", member, "signature");
        }
    }

    /// <summary>The next tar entry, with the tar reader's own errors turned into <see cref="ImageFormatException"/>s.</summary>
    internal static async Task<TarEntry?> NextEntryAsync(TarReader tar, TarStructureGuard guard, string expecting, CancellationToken cancel)
    {
        TarEntry? entry = await Guarded(() => tar.GetNextEntryAsync(copyData: false, cancel), expecting).ConfigureAwait(false);
        if (entry is not null)
        {
            if (entry.EntryType != TarEntryType.RegularFile)
            {
                throw new ImageFormatException($"golden image: member '{FieldText.Escape(entry.Name)}' is a {entry.EntryType}; a golden image holds regular files only", entry.Name, "tar_type");
            }

            RequireSafeName(entry.Name);
        }
        else if (guard.EndOfArchiveAt < 0)
        {
            throw new ImageFormatException($"golden image: archive ends without an end-of-archive marker while reading {expecting} (truncated)", null, "end_of_archive");
        }

        return entry;
    }

    private static void RequireName(TarEntry entry, string expected, int index)
    {
        if (entry.Name != expected)
        {
            RequireSafeName(entry.Name);
            throw new ImageFormatException($"golden image: member {index + 1} is '{FieldText.Escape(entry.Name)}', expected '{expected}'", entry.Name, "member");
        }
    }

    private static void RequireSafeName(string name)
    {
        // A member name is a plain file name: never a path that could escape an extraction directory.
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name is "." or ".." || name.Contains("..", StringComparison.Ordinal)
            || name.Any(c => c is < ' ' or > '~'))
        {
            throw new ImageFormatException($"golden image: member name '{FieldText.Escape(name)}' is not a plain file name (no '/', '..', absolute paths or control characters)", name, "member");
        }
    }

    private static async Task<byte[]> ReadExactAsync(TarEntry entry, int length, string member, CancellationToken cancel)
    {
        byte[] bytes = new byte[length];
        Stream data = entry.DataStream ?? Stream.Null;
        int got = await Guarded(() => ChunkPump.ReadChunkAsync(data, bytes, length, useAsync: true, cancel), member).ConfigureAwait(false);
        if (got != length)
        {
            throw new ImageFormatException($"{member}: ends after {got} of {length} bytes (truncated)", member, "size");
        }

        return bytes;
    }

    /// <summary>Runs a read, turning what malformed input makes the tar reader or the decoder throw into an <see cref="ImageFormatException"/>.</summary>
    private static async Task<T> Guarded<T>(Func<ValueTask<T>> read, string what)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new ImageFormatException($"golden image: archive ends while reading {what} (truncated)", null, "size", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new ImageFormatException($"golden image: bad tar data while reading {what}: {e.Message}", null, "tar", e);
        }
    }

    private static Task<T> Guarded<T>(Func<Task<T>> read, string what) => Guarded(() => new ValueTask<T>(read()), what);
}
