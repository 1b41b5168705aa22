using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>What a reader requires of a golden image.</summary>
/// <param name="TrustedKeys">Keys that may sign the manifest (and, with the same key, every partition header).</param>
public sealed record GoldenImageReadOptions(TrustedKeySet TrustedKeys)
{
    /// <summary>The board that will install the image: it must be in the manifest's board ids. Null accepts any.</summary>
    public string? BoardId { get; init; }

    /// <summary>The rollback index the board stores: the manifest's must be at least this (anti-downgrade).</summary>
    public ulong MinimumRollbackIndex { get; init; }

    /// <summary>
    /// Also hash each payload and compare with its partition header (a second SHA-256 over the
    /// same bytes, run on another core). The image hash in the signed manifest already binds the
    /// bytes; this also proves the headers inside are consistent, as the bootloader will check.
    /// </summary>
    public bool VerifyPayloadHashes { get; init; } = true;

    /// <summary>Members verified at the same time when the archive is a local file read only to verify it.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}
