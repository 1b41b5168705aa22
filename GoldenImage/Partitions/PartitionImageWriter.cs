using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// Builds partition images: a signed <see cref="PartitionHeader"/> followed by the payload,
/// streaming (memory stays at two 1 MiB chunks whatever the payload size).
/// </summary>
public static class PartitionImageWriter
{
    /// <summary>
    /// Hashes <paramref name="payloadLength"/> bytes of <paramref name="payload"/> and returns the
    /// signed header for them. The stream is read once, to that length.
    /// </summary>
    /// <exception cref="EndOfStreamException">The payload ends before <paramref name="payloadLength"/> bytes.</exception>
    public static async Task<PartitionHeader> CreateHeaderAsync(Stream payload, long payloadLength, PartitionRelease release, SigningKey key,
        IProgress<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        using var hash = new Sha256Consumer();
        long read = await ChunkPump.PumpAsync(payload, payloadLength, [hash.Consumer], null, progress, useAsync: true, cancel).ConfigureAwait(false);
        if (read != payloadLength)
        {
            throw new EndOfStreamException($"{release.PartitionName} payload: ended after {read} of {payloadLength} bytes");
        }

        return PartitionHeader.CreateSigned(release, (ulong)payloadLength, hash.Finish(), key);
    }

    /// <summary>
    /// Writes a signed partition image of the rest of <paramref name="payload"/> to
    /// <paramref name="destination"/>. A seekable payload is read twice (hash, then copy after the
    /// header); otherwise the destination must be seekable: a blank header is written, the payload
    /// copied and hashed in one pass, and the header written last (so a cut before the end leaves
    /// no valid header).
    /// </summary>
    /// <returns>The header written.</returns>
    /// <exception cref="ArgumentException">Neither stream is seekable.</exception>
    public static async Task<PartitionHeader> WriteAsync(Stream payload, PartitionRelease release, SigningKey key, Stream destination,
        IProgress<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(destination);
        if (payload.CanSeek)
        {
            long start = payload.Position;
            long length = payload.Length - start;
            PartitionHeader header = await CreateHeaderAsync(payload, length, release, key, null, cancel).ConfigureAwait(false);
            payload.Position = start;
            await destination.WriteAsync(header.RawBytes, cancel).ConfigureAwait(false);
            long copied = await ChunkPump.PumpAsync(payload, length, [], destination, progress, useAsync: true, cancel).ConfigureAwait(false);
            if (copied != length)
            {
                throw new EndOfStreamException($"{release.PartitionName} payload: shrank from {length} to {copied} bytes while being written");
            }

            return header;
        }

        if (!destination.CanSeek)
        {
            throw new ArgumentException("either the payload or the destination must be seekable: the header before the payload holds the payload's hash", nameof(destination));
        }

        long headerAt = destination.Position;
        await destination.WriteAsync(new byte[PartitionHeader.Size], cancel).ConfigureAwait(false);
        using var hash = new Sha256Consumer();
        long total = await ChunkPump.PumpAsync(payload, PartitionHeader.MaxPayloadLength > long.MaxValue ? long.MaxValue : (long)PartitionHeader.MaxPayloadLength,
            [hash.Consumer], destination, progress, useAsync: true, cancel).ConfigureAwait(false);
        PartitionHeader written = PartitionHeader.CreateSigned(release, (ulong)total, hash.Finish(), key);
        long end = destination.Position;
        destination.Position = headerAt;
        await destination.WriteAsync(written.RawBytes, cancel).ConfigureAwait(false);
        destination.Position = end;
        return written;
    }

    /// <summary>Synchronous form of <see cref="WriteAsync"/>, for callers on synchronous APIs.</summary>
    public static PartitionHeader Write(Stream payload, PartitionRelease release, SigningKey key, Stream destination) =>
        WriteAsync(payload, release, key, destination).GetAwaiter().GetResult();
}
