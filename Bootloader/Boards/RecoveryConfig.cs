namespace RecoverySim.Bootloader.Boards;

/// <summary>Where recovery mode fetches a golden image (board.json <c>recovery</c>).</summary>
/// <param name="Order">Sources to try, in order: <c>tftp</c>, <c>usb</c>, <c>file</c>.</param>
/// <param name="TftpServer">TFTP server as <c>HOST[:PORT]</c>, or null.</param>
/// <param name="TftpFile">File name to ask the TFTP server for, or null.</param>
/// <param name="UsbPath">Path of the USB stick image, or null.</param>
/// <param name="FilePath">Path of a local golden image, or null.</param>
public sealed record RecoveryConfig(IReadOnlyList<string> Order, string? TftpServer, string? TftpFile, string? UsbPath, string? FilePath)
{
    /// <summary>The names a source may have in <see cref="Order"/>.</summary>
    public static IReadOnlyList<string> SourceNames { get; } = ["tftp", "usb", "file"];

    /// <summary>No source configured: TFTP from 127.0.0.1:69, file <c>golden.tar</c>, then USB <c>usb.img</c> in the board directory.</summary>
    public static RecoveryConfig Default => new(["tftp", "usb"], "127.0.0.1:69", "golden.tar", "usb.img", null);
}
