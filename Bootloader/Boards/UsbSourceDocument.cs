namespace RecoverySim.Bootloader.Boards;

/// <summary><c>recovery.usb</c> in board.json: every field optional.</summary>
internal sealed class UsbSourceDocument
{
    public string? Path { get; init; }

    public string? ImagePath { get; init; }

    public int? Attempts { get; init; }
}
