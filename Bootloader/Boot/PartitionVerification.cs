using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Boot;

/// <summary>The result of verifying one slot partition.</summary>
/// <param name="Partition">The partition name (boot_a, system, ...).</param>
/// <param name="Failure">Why it failed, or <see cref="UnbootableReason.None"/> when it verified.</param>
/// <param name="Detail">One line explaining a failure (empty on success).</param>
/// <param name="Release">The header's release id, when the header could be read.</param>
/// <param name="Version">The header's version string, when the header could be read.</param>
/// <param name="RollbackIndex">The header's rollback index, when the header could be read.</param>
public sealed record PartitionVerification(string Partition, UnbootableReason Failure, string Detail, string? Release, string? Version, ulong? RollbackIndex)
{
    /// <summary>Whether the partition verified.</summary>
    public bool Verified => Failure == UnbootableReason.None;
}
