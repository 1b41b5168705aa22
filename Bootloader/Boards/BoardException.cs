namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// A board directory is not usable as asked: a damaged or missing board.json, a missing
/// disk.img, a disk too small for its profile, a GPT without the expected partitions. The
/// message names the file and what was expected.
/// </summary>
public sealed class BoardException : Exception
{
    /// <summary>Creates the exception with a message naming what is wrong.</summary>
    public BoardException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the fault that caused it.</summary>
    public BoardException(string message, Exception inner) : base(message, inner) { }
}
