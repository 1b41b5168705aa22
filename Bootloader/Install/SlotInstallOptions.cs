namespace RecoverySim.Bootloader.Install;

/// <summary>How <see cref="SlotInstaller"/> installs one partition image.</summary>
public sealed record SlotInstallOptions
{
    /// <summary>Bytes written between two device writes (a multiple of every sector size used: 1 MiB).</summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Payload bytes already durable on every target from an interrupted install of the same image
    /// (from a journal): they are not written again. Rounded down to a whole chunk; the read-back at
    /// the end proves them, so a wrong value costs a failed install, never a bad slot.
    /// </summary>
    public long ResumePayloadBytes { get; init; }

    /// <summary>Payload bytes between two flushes, each followed by <see cref="ISlotInstallHook.PayloadDurable"/> (a multiple of <see cref="ChunkBytes"/>; default 8 MiB).</summary>
    public long DurableInterval { get; init; } = 8L << 20;

    /// <summary>The SHA-256 the whole image (header and payload) must have when read back, or null to compare with the bytes as they were written.</summary>
    public byte[]? ExpectedImageSha256 { get; init; }

    /// <summary>Told after each durable step, or null.</summary>
    public ISlotInstallHook? Hook { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for values no install can use.</summary>
    public void Validate()
    {
        if (ResumePayloadBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ResumePayloadBytes), ResumePayloadBytes, "resume offset must not be negative");
        }

        if (DurableInterval < ChunkBytes || DurableInterval % ChunkBytes != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DurableInterval), DurableInterval, $"durable interval must be a positive multiple of {ChunkBytes}");
        }

        if (ExpectedImageSha256 is { Length: not 32 })
        {
            throw new ArgumentException("an expected SHA-256 has 32 bytes", nameof(ExpectedImageSha256));
        }
    }
}
