using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Partitions;

/// <summary>What a board requires of a partition image before it boots it.</summary>
/// <param name="TrustedKeys">The keys the board trusts (its fuses).</param>
/// <param name="BoardId">The board's id: the header must name it.</param>
/// <param name="MinimumRollbackIndex">The rollback index stored for this partition: the header's must be at least this.</param>
public sealed record PartitionVerificationPolicy(TrustedKeySet TrustedKeys, string BoardId, ulong MinimumRollbackIndex)
{
    /// <summary>The logical partition name the header must carry (<c>boot</c> for <c>boot_a</c>), or null to accept any.</summary>
    public string? PartitionName { get; init; }

    /// <summary>The release id the header must carry (to check that a slot's partitions belong together), or null.</summary>
    public string? ReleaseId { get; init; }

    /// <summary>The largest payload the partition can hold (its size minus <see cref="PartitionHeader.Size"/>).</summary>
    public long MaxPayloadLength { get; init; } = long.MaxValue;
}
