namespace RecoverySim.Bootloader.Boards;

/// <summary><c>recovery</c> in board.json: every field optional.</summary>
internal sealed class RecoveryDocument
{
    public List<string>? Order { get; init; }

    public TftpSourceDocument? Tftp { get; init; }

    public UsbSourceDocument? Usb { get; init; }

    public FileSourceDocument? File { get; init; }
}
