namespace RecoverySim.Bootloader.Boards;

/// <summary><c>recovery.tftp</c> in board.json: every field optional.</summary>
internal sealed class TftpSourceDocument
{
    public string? Server { get; init; }

    public string? File { get; init; }

    public int? Attempts { get; init; }

    public int? TimeoutMs { get; init; }

    public int? Blksize { get; init; }

    public int? Windowsize { get; init; }
}
