namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// Why a partition image was rejected, in the order <see cref="PartitionImageVerifier"/> checks
/// (DESIGN.md "Partition header": CRC, bounds and fields, board id, signature, rollback index,
/// payload hash). A boot log records it so a scenario can assert on the exact reason.
/// </summary>
public enum PartitionRejection
{
    /// <summary>Not rejected: the image is valid.</summary>
    None = 0,

    /// <summary>The header or the payload ends before its declared length.</summary>
    Truncated,

    /// <summary>No header: the magic is missing (an erased or never-written partition).</summary>
    NoHeader,

    /// <summary>The header CRC32 does not match (a torn write or corruption).</summary>
    HeaderCrc,

    /// <summary>A header field is out of bounds or malformed (format version, text, lengths, reserved bytes).</summary>
    Field,

    /// <summary>The header names another partition than the one it was read from.</summary>
    PartitionName,

    /// <summary>The header is for another board.</summary>
    BoardId,

    /// <summary>The header belongs to another release than the caller expects.</summary>
    ReleaseId,

    /// <summary>The key id is not in the board's trusted set.</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the trusted key of that id.</summary>
    Signature,

    /// <summary>The rollback index is below the board's stored minimum (a downgrade).</summary>
    Rollback,

    /// <summary>The payload's SHA-256 differs from the header's.</summary>
    PayloadHash,
}
