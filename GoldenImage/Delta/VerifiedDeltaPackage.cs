using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// A delta package whose manifest signature, fields and members were verified by
/// <see cref="DeltaPackageReader"/>: what the OTA agent installs from. It makes each target
/// partition image from the running slot's image, checking the source before and the target
/// after. Reads the package stream it was opened from; one call at a time.
/// </summary>
public sealed class VerifiedDeltaPackage
{
    private readonly Stream _package;
    private readonly IReadOnlyList<DeltaPackageMember> _members;

    internal VerifiedDeltaPackage(GoldenImageManifest manifest, VerificationKey signingKey, Stream package, IReadOnlyList<DeltaPackageMember> members)
    {
        Manifest = manifest;
        SigningKey = signingKey;
        _package = package;
        _members = members;
    }

    /// <summary>The verified manifest (<see cref="GoldenImageManifest.IsDeltaPackage"/>).</summary>
    public GoldenImageManifest Manifest { get; }

    /// <summary>The trusted key that signed it.</summary>
    public VerificationKey SigningKey { get; }

    /// <summary>
    /// Writes partition <paramref name="partition"/>'s target image (partition header, then
    /// payload: <see cref="ManifestPartition.Size"/> bytes) to <paramref name="target"/>, front to
    /// back. First the first <see cref="PartitionDelta.SourceSize"/> bytes of
    /// <paramref name="source"/> (the running slot's image: a slot partition's stream, which may
    /// be longer) are hashed and must be the manifest's source; nothing is written otherwise.
    /// Then the patch (or the full image) streams into <paramref name="target"/>, which refuses a
    /// byte past the size; at the end the image's SHA-256 must be the manifest's, and its
    /// partition header must agree with the manifest and be signed by the package's key.
    /// </summary>
    /// <remarks>
    /// Bytes written to <paramref name="target"/> are not trusted until this returns: on any
    /// exception they are garbage, and the slot they went to must stay unbootable. The header
    /// comes first in the stream; an installer that writes the header last (docs/FORMAT.md "Slot
    /// installer") keeps the first <see cref="PartitionHeader.Size"/> bytes back, or takes the
    /// returned header.
    /// </remarks>
    /// <returns>The target image's verified partition header.</returns>
    /// <exception cref="ImagePolicyException">The source is not the image the package applies to (field <c>source_sha256</c> or <c>source_size</c>).</exception>
    /// <exception cref="ImageFormatException">The patch or the target image is bad.</exception>
    /// <exception cref="SignatureException">The target's header is not signed by the package's key.</exception>
    public async Task<PartitionHeader> ApplyAsync(string partition, Stream source, Stream target, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        DeltaPackageMember member = _members.FirstOrDefault(m => m.Partition.Name == partition)
            ?? throw new ArgumentException($"the delta package has no partition '{partition}' (it has {string.Join(", ", _members.Select(m => m.Partition.Name))})", nameof(partition));
        ManifestPartition p = member.Partition;
        PartitionDelta delta = p.Delta!;
        if (!source.CanSeek || !source.CanRead)
        {
            throw new ArgumentException("the source image must be readable and seekable (a patch reads it where it points)", nameof(source));
        }

        if (source.Length < delta.SourceSize)
        {
            throw new ImagePolicyException($"{p.Member}: the source is {source.Length} bytes, shorter than the source image's {delta.SourceSize} (field source_size)", p.Member, "source_size");
        }

        var sourceImage = new StreamWindow(source, 0, delta.SourceSize);
        using (var hash = new Sha256Consumer())
        {
            await ChunkPump.PumpAsync(sourceImage, delta.SourceSize, [hash.Consumer], null, null, useAsync: true, cancel).ConfigureAwait(false);
            string actual = Convert.ToHexStringLower(hash.Finish());
            if (actual != delta.SourceSha256)
            {
                throw new ImagePolicyException($"{p.Member}: SHA-256 of the source image is {actual}, but the package applies only to {delta.SourceSha256} (release {Manifest.Source!.ReleaseId}, version {Manifest.Source.Version}); nothing written",
                    p.Member, "source_sha256");
            }
        }

        using var output = new ImageOutputStream(target, p.Size, p.Member);
        var stored = new StreamWindow(_package, member.DataOffset, p.CompressedSize);
        await Task.Run(() => Produce(p, stored, sourceImage, output, cancel), cancel).ConfigureAwait(false);
        if (output.Count != p.Size)
        {
            throw new ImageFormatException($"{p.Member}: the target image is {output.Count} bytes, manifest says {p.Size}", p.Member, "size");
        }

        string sha256 = output.FinishHash();
        if (sha256 != p.Sha256)
        {
            throw new ImageFormatException($"{p.Member}: SHA-256 of the target image is {sha256}, manifest says {p.Sha256}", p.Member, "sha256");
        }

        PartitionHeader header = PartitionHeader.Parse(output.Header, p.Member);
        GoldenImageReader.CheckHeader(header, p, Manifest, SigningKey);
        await target.FlushAsync(cancel).ConfigureAwait(false);
        return header;
    }

    private static void Produce(ManifestPartition p, StreamWindow stored, StreamWindow source, ImageOutputStream output, CancellationToken cancel)
    {
        switch (p.Compression)
        {
            case PartitionCompression.Bsdiff40:
                BsPatch.Apply(stored, source, output, p.Size, p.Member, cancel);
                return;
            case PartitionCompression.Zstd:
                try
                {
                    using var zstd = new DecompressionStream(stored, bufferSize: 0, checkEndOfStream: true, leaveOpen: true);
                    zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, GoldenImageReader.MaxZstdWindowLog);
                    Copy(zstd, output, p, cancel);
                }
                catch (ZstdException e)
                {
                    throw new ImageFormatException($"{p.Member}: bad zstd data: {e.Message}", p.Member, "zstd", e);
                }

                if (stored.Remaining != 0)
                {
                    throw new ImageFormatException($"{p.Member}: {stored.Remaining} bytes follow the end of the zstd frame", p.Member, "compressed_size");
                }

                return;
            default:
                Copy(stored, output, p, cancel);
                return;
        }
    }

    /// <summary>Copies the whole image; the output refuses a byte past the size (a zstd bomb stops there).</summary>
    private static void Copy(Stream from, ImageOutputStream output, ManifestPartition p, CancellationToken cancel) =>
        ChunkPump.PumpAsync(from, p.Size + 1, [], output, null, useAsync: false, cancel).AsTask().GetAwaiter().GetResult();
}
