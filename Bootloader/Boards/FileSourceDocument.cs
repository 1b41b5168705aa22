namespace RecoverySim.Bootloader.Boards;

/// <summary><c>recovery.file</c> in board.json: the path is required.</summary>
internal sealed class FileSourceDocument
{
    public required string Path { get; init; }

    public int? Attempts { get; init; }
}
