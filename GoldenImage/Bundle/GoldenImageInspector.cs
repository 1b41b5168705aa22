using System.Formats.Tar;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Partitions;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// Reads what a golden image or a delta package says about itself without a key (for
/// <c>recoverysim image inspect</c>): the manifest, the signature's size and each member's
/// partition header (a patch member's BSDIFF40 header). It
/// checks structure with the same guards as <see cref="GoldenImageReader"/> (sizes bounded
/// before reading, strict ustar) but verifies no signature and no hash; use the reader for that.
/// </summary>
public static class GoldenImageInspector
{
    /// <summary>Inspects the golden image in <paramref name="archive"/>, reading it once to its end.</summary>
    /// <exception cref="ImageFormatException">The archive or the manifest is malformed.</exception>
    public static async Task<GoldenImageInspection> InspectAsync(Stream archive, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var guard = new TarStructureGuard(archive);
        var tar = new TarReader(guard, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            (byte[] manifestBytes, byte[] signature) = await GoldenImageReader.ReadManifestMembersAsync(tar, guard, cancel).ConfigureAwait(false);
            GoldenImageManifest manifest = GoldenImageManifest.Parse(manifestBytes);
            var members = new List<InspectedMember>();
            while (await GoldenImageReader.NextEntryAsync(tar, guard, "the next member", cancel).ConfigureAwait(false) is { } entry)
            {
                if (members.Count >= GoldenImageManifest.MaxPartitions)
                {
                    throw new ImageFormatException($"golden image: more than {GoldenImageManifest.MaxPartitions} partition members", entry.Name, "member");
                }

                members.Add(await InspectMemberAsync(entry, cancel).ConfigureAwait(false));
            }

            await guard.RequireEndAsync(cancel).ConfigureAwait(false);
            return new GoldenImageInspection(manifest, manifestBytes.Length, signature, members);
        }
    }

    private static async Task<InspectedMember> InspectMemberAsync(TarEntry entry, CancellationToken cancel)
    {
        Stream data = entry.DataStream ?? Stream.Null;
        byte[] header = new byte[PartitionHeader.Size];
        int got;
        string? error = null;
        try
        {
            if (entry.Name.EndsWith(ManifestPartition.MemberNameFor("", PartitionCompression.Bsdiff40), StringComparison.Ordinal))
            {
                // A delta package's patch: its own header, not a partition header.
                got = await ChunkPump.ReadChunkAsync(data, header, Delta.BsDiffHeader.Size, useAsync: true, cancel).ConfigureAwait(false);
                try
                {
                    return new InspectedMember(entry.Name, entry.Length, null, null) { PatchHeader = Delta.BsDiffHeader.Parse(header.AsSpan(0, got), entry.Length, long.MaxValue, entry.Name) };
                }
                catch (ImageFormatException e)
                {
                    return new InspectedMember(entry.Name, entry.Length, null, e.Message);
                }
            }

            if (entry.Name.EndsWith(".zst", StringComparison.Ordinal))
            {
                using var zstd = new DecompressionStream(data, bufferSize: 0, checkEndOfStream: false, leaveOpen: true);
                zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, GoldenImageReader.MaxZstdWindowLog);
                got = await ChunkPump.ReadChunkAsync(zstd, header, header.Length, useAsync: true, cancel).ConfigureAwait(false);
            }
            else
            {
                got = await ChunkPump.ReadChunkAsync(data, header, header.Length, useAsync: true, cancel).ConfigureAwait(false);
            }
        }
        catch (ZstdException e)
        {
            return new InspectedMember(entry.Name, entry.Length, null, $"bad zstd data: {e.Message}");
        }
        catch (EndOfStreamException e)
        {
            throw new ImageFormatException($"golden image: archive ends inside member '{FieldText.Escape(entry.Name)}' (truncated)", entry.Name, "size", e);
        }

        PartitionHeader? parsed = null;
        try
        {
            parsed = PartitionHeader.Parse(header.AsSpan(0, got), entry.Name);
        }
        catch (ImageFormatException e)
        {
            error = e.Message;
        }

        return new InspectedMember(entry.Name, entry.Length, parsed, error);
    }
}
