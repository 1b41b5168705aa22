namespace RecoverySim.Bootloader.Control;

/// <summary>
/// Where things live inside the <c>misc</c> partition (docs/FORMAT.md "boot-control-block").
/// Each region starts on a 4 KiB boundary so that no two regions share a sector on devices with
/// sectors up to 4 KiB: a torn write of one can never damage another.
/// </summary>
public static class MiscLayout
{
    /// <summary>Byte offset of boot control block copy 0.</summary>
    public const long BootControlCopy0Offset = 0;

    /// <summary>Byte offset of boot control block copy 1.</summary>
    public const long BootControlCopy1Offset = 4096;

    /// <summary>Bytes reserved for each copy (one copy uses the first <see cref="BootControlBlock.Size"/>).</summary>
    public const int BootControlRegionSize = 4096;

    /// <summary>Byte offset of the region reserved for the recovery journal (recovery mode owns it).</summary>
    public const long RecoveryJournalOffset = 64 * 1024;

    /// <summary>Bytes of the recovery journal region.</summary>
    public const long RecoveryJournalSize = 960 * 1024;

    /// <summary>The smallest <c>misc</c> partition that holds every region: 1 MiB.</summary>
    public const long MinimumSize = RecoveryJournalOffset + RecoveryJournalSize;
}
