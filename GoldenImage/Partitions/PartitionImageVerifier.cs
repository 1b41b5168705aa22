using System.Security.Cryptography;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// Verifies a partition image (header + payload) the way the bootloader does, in the order of
/// DESIGN.md "Partition header": magic and CRC, bounds and fields, partition name and board id,
/// trusted key and signature, rollback index, and last the payload hash (streamed in 1 MiB
/// chunks, hashing overlapped with reading). Bad bytes never throw: they give a
/// <see cref="PartitionVerificationResult"/> with a <see cref="PartitionRejection"/>. I/O errors
/// of the stream (a read error of the device) do propagate.
/// </summary>
public static class PartitionImageVerifier
{
    /// <summary>Every check but the payload hash: what can be decided from the header bytes alone.</summary>
    public static PartitionVerificationResult VerifyHeader(ReadOnlySpan<byte> header, PartitionVerificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PartitionHeader parsed;
        try
        {
            parsed = PartitionHeader.Parse(header);
        }
        catch (ImageFormatException e)
        {
            PartitionRejection reason = e.Field switch
            {
                "size" => PartitionRejection.Truncated,
                "magic" => PartitionRejection.NoHeader,
                "crc32" => PartitionRejection.HeaderCrc,
                _ => PartitionRejection.Field,
            };
            return new PartitionVerificationResult(reason, e.Message, null);
        }

        if ((ulong)policy.MaxPayloadLength < parsed.PayloadLength)
        {
            return Reject(PartitionRejection.Field, $"partition header: payload length {parsed.PayloadLength} does not fit the partition ({policy.MaxPayloadLength} bytes after the header)", parsed);
        }

        if (policy.PartitionName is not null && parsed.PartitionName != policy.PartitionName)
        {
            return Reject(PartitionRejection.PartitionName, $"partition header: partition name '{parsed.PartitionName}', expected '{policy.PartitionName}'", parsed);
        }

        if (parsed.BoardId != policy.BoardId)
        {
            return Reject(PartitionRejection.BoardId, $"partition header: board id '{parsed.BoardId}', expected '{policy.BoardId}'", parsed);
        }

        if (policy.ReleaseId is not null && parsed.ReleaseId != policy.ReleaseId)
        {
            return Reject(PartitionRejection.ReleaseId, $"partition header: release id '{parsed.ReleaseId}', expected '{policy.ReleaseId}'", parsed);
        }

        if (!policy.TrustedKeys.TryGet(parsed.KeyId, out VerificationKey? key))
        {
            return Reject(PartitionRejection.UnknownKey, $"partition header: key id {parsed.KeyId} is not trusted (trusted: {policy.TrustedKeys.Describe()})", parsed);
        }

        if (key.Algorithm != parsed.SignatureAlgorithm)
        {
            return Reject(PartitionRejection.Signature, $"partition header: signature algorithm {SignatureAlgorithmNames.ToName(parsed.SignatureAlgorithm)}, but trusted key {key.KeyId} is {SignatureAlgorithmNames.ToName(key.Algorithm)}", parsed);
        }

        if (!parsed.VerifySignature(key))
        {
            return Reject(PartitionRejection.Signature, $"partition header: {SignatureAlgorithmNames.ToName(key.Algorithm)} signature does not verify with key {key.KeyId}", parsed);
        }

        if (parsed.RollbackIndex < policy.MinimumRollbackIndex)
        {
            return Reject(PartitionRejection.Rollback, $"partition header: rollback index {parsed.RollbackIndex}, below the board's minimum {policy.MinimumRollbackIndex}", parsed);
        }

        return PartitionVerificationResult.Valid(parsed);
    }

    /// <summary>Verifies the header, then hashes exactly the header's payload length from <paramref name="payload"/> (positioned at the payload).</summary>
    public static PartitionVerificationResult Verify(ReadOnlySpan<byte> header, Stream payload, PartitionVerificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(payload);
        PartitionVerificationResult result = VerifyHeader(header, policy);
        return result.IsValid ? CheckPayloadAsync(result.Header!.Value, payload, null, useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult() : result;
    }

    /// <summary>Asynchronous form of <see cref="Verify"/>.</summary>
    public static async Task<PartitionVerificationResult> VerifyAsync(ReadOnlyMemory<byte> header, Stream payload, PartitionVerificationPolicy policy,
        IProgress<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        PartitionVerificationResult result = VerifyHeader(header.Span, policy);
        return result.IsValid ? await CheckPayloadAsync(result.Header!.Value, payload, progress, useAsync: true, cancel).ConfigureAwait(false) : result;
    }

    /// <summary>Reads the header from the start of <paramref name="image"/> and verifies header and payload.</summary>
    public static PartitionVerificationResult VerifyImage(Stream image, PartitionVerificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(image);
        byte[] header = new byte[PartitionHeader.Size];
        int n = ChunkPump.ReadChunkAsync(image, header, header.Length, useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return Verify(header.AsSpan(0, n), image, policy);
    }

    /// <summary>Asynchronous form of <see cref="VerifyImage"/>.</summary>
    public static async Task<PartitionVerificationResult> VerifyImageAsync(Stream image, PartitionVerificationPolicy policy,
        IProgress<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        byte[] header = new byte[PartitionHeader.Size];
        int n = await ChunkPump.ReadChunkAsync(image, header, header.Length, useAsync: true, cancel).ConfigureAwait(false);
        return await VerifyAsync(header.AsMemory(0, n), image, policy, progress, cancel).ConfigureAwait(false);
    }

    private static async ValueTask<PartitionVerificationResult> CheckPayloadAsync(PartitionHeader header, Stream payload, IProgress<long>? progress,
        bool useAsync, CancellationToken cancel)
    {
        using var hash = new Sha256Consumer();
        long length = (long)header.PayloadLength;
        long read = await ChunkPump.PumpAsync(payload, length, [hash.Consumer], null, progress, useAsync, cancel).ConfigureAwait(false);
        if (read < length)
        {
            return Reject(PartitionRejection.Truncated, $"partition payload: ends after {read} of {length} bytes", header);
        }

        byte[] actual = hash.Finish();
        return header.PayloadHashEquals(actual)
            ? PartitionVerificationResult.Valid(header)
            : Reject(PartitionRejection.PayloadHash, $"partition payload: SHA-256 is {Convert.ToHexStringLower(actual)}, header says {header.PayloadSha256Hex}", header);
    }

    private static PartitionVerificationResult Reject(PartitionRejection reason, string message, PartitionHeader header) => new(reason, message, header);
}
