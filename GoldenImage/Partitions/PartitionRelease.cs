namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// What a partition header says about the release a payload belongs to: everything the signer
/// chooses, as opposed to what is computed from the payload (length, hash) or the key.
/// </summary>
public readonly record struct PartitionRelease
{
    /// <summary>Creates the release description; each value is checked (<see cref="FieldText"/>).</summary>
    /// <param name="partitionName">Logical partition name (<c>boot</c>, <c>system</c>, <c>vendor</c>): the slot suffix is not part of it.</param>
    /// <param name="releaseId">The id shared by all partitions of one release.</param>
    /// <param name="version">The human version string.</param>
    /// <param name="rollbackIndex">The anti-downgrade index: a board refuses anything below the one it stores.</param>
    /// <param name="boardId">The board this image is for.</param>
    /// <exception cref="ArgumentException">A value has characters or a length its field does not allow.</exception>
    public PartitionRelease(string partitionName, string releaseId, string version, ulong rollbackIndex, string boardId)
    {
        PartitionName = FieldText.RequirePartitionName(partitionName, nameof(partitionName));
        ReleaseId = FieldText.RequireIdentifier(releaseId, "release id", nameof(releaseId));
        Version = FieldText.RequireVersion(version, nameof(version));
        RollbackIndex = rollbackIndex;
        BoardId = FieldText.RequireIdentifier(boardId, "board id", nameof(boardId));
    }

    /// <summary>Logical partition name.</summary>
    public string PartitionName { get; }

    /// <summary>The id shared by all partitions of one release.</summary>
    public string ReleaseId { get; }

    /// <summary>The human version string.</summary>
    public string Version { get; }

    /// <summary>The anti-downgrade index.</summary>
    public ulong RollbackIndex { get; }

    /// <summary>The board this image is for.</summary>
    public string BoardId { get; }
}
