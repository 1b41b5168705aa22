using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// Where <see cref="GoldenImageReader"/> delivers what it reads, in this order: the manifest
/// once its signature and the policy are verified (before any payload byte is read), then per
/// partition a destination for the uncompressed image (header + payload) and, after the last
/// byte is written and every hash matched, a confirmation. The base class verifies only: it
/// discards the bytes.
/// </summary>
/// <remarks>
/// Bytes written to a destination are not trusted until <see cref="OnPartitionVerifiedAsync"/>:
/// when a hash does not match, the reader throws instead, and the caller must treat what it
/// wrote as garbage (recovery never marks such a slot bootable).
/// </remarks>
public class GoldenImageSink
{
    /// <summary>The manifest is signed by a trusted key and passes the board and rollback checks.</summary>
    public virtual ValueTask OnManifestVerifiedAsync(GoldenImageManifest manifest, CancellationToken cancel) => ValueTask.CompletedTask;

    /// <summary>
    /// Where to write partition <paramref name="partition"/>'s uncompressed image
    /// (<see cref="ManifestPartition.Size"/> bytes, the header first), or null to discard it.
    /// <paramref name="header"/> is already verified (fields, key, signature); the payload is not yet.
    /// The reader does not dispose the stream.
    /// </summary>
    public virtual ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel) =>
        ValueTask.FromResult<Stream?>(null);

    /// <summary>Every byte of the partition was delivered and its hashes match the manifest and the header.</summary>
    public virtual ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel) =>
        ValueTask.CompletedTask;
}
