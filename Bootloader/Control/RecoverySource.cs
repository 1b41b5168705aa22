namespace RecoverySim.Bootloader.Control;

/// <summary>Where recovery mode should fetch the golden image from (one byte in the boot control block: never renumber).</summary>
public enum RecoverySource : byte
{
    /// <summary>Every configured source, in the order of board.json.</summary>
    Any = 0,

    /// <summary>The TFTP server of board.json.</summary>
    Tftp = 1,

    /// <summary>The USB stick of board.json.</summary>
    Usb = 2,

    /// <summary>A local file.</summary>
    File = 3,
}
