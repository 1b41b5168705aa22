using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Tests.Boot;

/// <summary>
/// A verifier over imaginary partitions: each partition has a release, a rollback index and a
/// failure (none unless a test corrupts it). Checks the rollback index like the real verifier.
/// </summary>
internal sealed class FakeVerifier : IPartitionVerifier
{
    private readonly Dictionary<string, (string Release, ulong Rollback, UnbootableReason Failure)> _partitions = [];

    public List<string> Verified { get; } = [];

    public void Flash(string partition, string release, ulong rollbackIndex) =>
        _partitions[partition] = (release, rollbackIndex, UnbootableReason.None);

    public void Corrupt(string partition, UnbootableReason reason = UnbootableReason.HeaderInvalid) =>
        _partitions[partition] = _partitions[partition] with { Failure = reason };

    public PartitionVerification Verify(string partition, ulong minimumRollbackIndex)
    {
        Verified.Add(partition);
        if (!_partitions.TryGetValue(partition, out var p))
        {
            return new PartitionVerification(partition, UnbootableReason.HeaderInvalid, "empty partition", null, null, null);
        }

        if (p.Failure != UnbootableReason.None)
        {
            return new PartitionVerification(partition, p.Failure, "corrupted by the test", p.Release, "v-" + p.Release, p.Rollback);
        }

        if (p.Rollback < minimumRollbackIndex)
        {
            return new PartitionVerification(partition, UnbootableReason.RollbackIndexTooLow,
                $"rollback index {p.Rollback} below stored {minimumRollbackIndex}", p.Release, "v-" + p.Release, p.Rollback);
        }

        return new PartitionVerification(partition, UnbootableReason.None, "", p.Release, "v-" + p.Release, p.Rollback);
    }
}
