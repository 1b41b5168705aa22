using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Verifies a slot partition of a <see cref="Board"/> in place: the partition header at its
/// start (CRC, fields, partition name, board id, trusted key, signature, rollback index), then
/// the payload right after it, streamed through SHA-256 (DESIGN.md "Partition header").
/// </summary>
public sealed class BoardPartitionVerifier : IPartitionVerifier
{
    private readonly Board _board;
    private readonly TrustedKeySet _keys;

    /// <summary>Creates the verifier for <paramref name="board"/> with the keys it trusts.</summary>
    public BoardPartitionVerifier(Board board, TrustedKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(keys);
        _board = board;
        _keys = keys;
    }

    /// <inheritdoc/>
    public PartitionVerification Verify(string partition, ulong minimumRollbackIndex) =>
        Verify(partition, _board.Partition(partition), minimumRollbackIndex);

    /// <summary>
    /// Verifies only the header of <paramref name="partition"/> (CRC, fields, name, board, key,
    /// signature, rollback index), not the payload hash: for a caller that has just read the whole
    /// partition back against a trusted hash of header and payload (the slot installer).
    /// </summary>
    public PartitionVerification VerifyHeader(string partition, ulong minimumRollbackIndex) =>
        Verify(partition, _board.Partition(partition), minimumRollbackIndex, payload: false);

    /// <summary>
    /// The release id that every partition of <paramref name="slot"/> carries in a header that
    /// verifies (CRC, fields, board, key, signature; not the rollback index, not the payload
    /// hash), or null when one does not verify or they name different releases: which signed
    /// release a slot holds, cheaply.
    /// </summary>
    public string? SignedRelease(Control.Slot slot)
    {
        PartitionVerification[] headers = [.. BoardLayout.SlotPartitions(_board.Config.Profile, slot).Select(p => VerifyHeader(p, 0))];
        return headers.All(h => h.Verified) && headers.Select(h => h.Release).Distinct().Count() == 1 ? headers[0].Release : null;
    }

    /// <summary>
    /// Verifies a slot's partitions. A board opened from its directory with parallel verification
    /// (<see cref="Board.Open"/>) checks them concurrently, each through its own read-only handle
    /// on disk.img (devices are single-caller), so a boot uses every core for hashing; events still
    /// come out in partition order, up to the first failure. A board over caller-provided devices
    /// (memory, fault injection) checks them one after the other through those devices, so every
    /// read goes through what the caller injected and faults stay deterministic.
    /// </summary>
    public IReadOnlyList<PartitionVerification> VerifyAll(IReadOnlyList<(string Partition, ulong MinimumRollbackIndex)> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Func<IBlockDevice>? openReader = _board.ParallelReader;
        if (openReader is null || partitions.Count < 2)
        {
            var sequential = new List<PartitionVerification>(partitions.Count);
            foreach ((string partition, ulong minimum) in partitions)
            {
                PartitionVerification result = Verify(partition, minimum);
                sequential.Add(result);
                if (!result.Verified)
                {
                    break;
                }
            }

            return sequential;
        }

        var results = new PartitionVerification[partitions.Count];
        try
        {
            Parallel.For(0, partitions.Count, i =>
            {
                (string partition, ulong minimum) = partitions[i];
                var entry = _board.PartitionEntry(partition);
                using IBlockDevice disk = openReader();
                results[i] = Verify(partition, new PartitionDevice(disk, entry.FirstLba, entry.SectorCount), minimum);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // One clear error, as the sequential check would give.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        int firstFailure = Array.FindIndex(results, r => !r.Verified);
        return firstFailure < 0 ? results : results[..(firstFailure + 1)];
    }

    private PartitionVerification Verify(string partition, IBlockDevice device, ulong minimumRollbackIndex, bool payload = true)
    {
        long bytes = device.SectorCount * device.SectorSize;
        var policy = new PartitionVerificationPolicy(_keys, _board.Config.BoardId, minimumRollbackIndex)
        {
            PartitionName = BoardLayout.KindOf(partition),
            MaxPayloadLength = bytes - PartitionHeader.Size,
        };

        PartitionVerificationResult result;
        try
        {
            // Header first (CRC, fields, name, board, key, signature, rollback index), then the
            // payload hash over exactly the length the verified header declares.
            byte[] header = new byte[PartitionHeader.Size];
            device.Read(0, header);
            result = PartitionImageVerifier.VerifyHeader(header, policy);
            if (result.IsValid && payload)
            {
                PartitionHeader verified = result.Header!.Value;
                byte[] actual = PayloadHash.Compute(device, PartitionHeader.Size, (long)verified.PayloadLength);
                if (!verified.PayloadHashEquals(actual))
                {
                    result = new PartitionVerificationResult(PartitionRejection.PayloadHash,
                        $"partition payload: SHA-256 is {Convert.ToHexStringLower(actual)}, header says {verified.PayloadSha256Hex}", verified);
                }
            }
        }
        catch (MediumException e)
        {
            return new PartitionVerification(partition, UnbootableReason.Unreadable, $"read error at sector {e.Sector}: {e.Message}", null, null, null);
        }

        PartitionHeader? h = result.Header;
        return new PartitionVerification(partition, Map(result.Reason), result.IsValid ? "" : result.Message,
            h?.ReleaseId, h?.Version, h?.RollbackIndex);
    }

    /// <summary>The unbootable reason a slot gets for a partition rejected with <paramref name="rejection"/>.</summary>
    public static UnbootableReason Map(PartitionRejection rejection) => rejection switch
    {
        PartitionRejection.None => UnbootableReason.None,
        PartitionRejection.Truncated or PartitionRejection.NoHeader or PartitionRejection.HeaderCrc or PartitionRejection.Field => UnbootableReason.HeaderInvalid,
        PartitionRejection.PartitionName => UnbootableReason.WrongPartition,
        PartitionRejection.BoardId => UnbootableReason.WrongBoard,
        PartitionRejection.ReleaseId => UnbootableReason.ReleaseMismatch,
        PartitionRejection.UnknownKey => UnbootableReason.UntrustedKey,
        PartitionRejection.Signature => UnbootableReason.BadSignature,
        PartitionRejection.Rollback => UnbootableReason.RollbackIndexTooLow,
        PartitionRejection.PayloadHash => UnbootableReason.PayloadHashMismatch,
        _ => UnbootableReason.HeaderInvalid,
    };
}
