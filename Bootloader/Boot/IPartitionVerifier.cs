namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// Verifies one slot partition as stored on the board: header CRC and fields, board id, trusted
/// key, signature, rollback index against <c>minimumRollbackIndex</c>, payload hash. The board's
/// implementation is <see cref="Boards.BoardPartitionVerifier"/>; tests may substitute their own.
/// </summary>
public interface IPartitionVerifier
{
    /// <summary>Verifies <paramref name="partition"/>; a failure is a result, not an exception.</summary>
    PartitionVerification Verify(string partition, ulong minimumRollbackIndex);

    /// <summary>
    /// Verifies the partitions of one slot, in order, up to and including the first that fails
    /// (so the result has one entry per partition checked). An implementation may check them
    /// concurrently, but must return the same list a sequential check would.
    /// </summary>
    IReadOnlyList<PartitionVerification> VerifyAll(IReadOnlyList<(string Partition, ulong MinimumRollbackIndex)> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var results = new List<PartitionVerification>(partitions.Count);
        foreach ((string partition, ulong minimum) in partitions)
        {
            PartitionVerification result = Verify(partition, minimum);
            results.Add(result);
            if (!result.Verified)
            {
                break;
            }
        }

        return results;
    }
}
