namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// Verifies one slot partition as stored on the board: header CRC and fields, board id, trusted
/// key, signature, rollback index against <c>minimumRollbackIndex</c>, payload hash. The board's
/// implementation is <c>BoardPartitionVerifier</c>; tests may substitute their own.
/// </summary>
public interface IPartitionVerifier
{
    /// <summary>Verifies <paramref name="partition"/>; a failure is a result, not an exception.</summary>
    PartitionVerification Verify(string partition, ulong minimumRollbackIndex);
}
