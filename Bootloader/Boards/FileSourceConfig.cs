namespace RecoverySim.Bootloader.Boards;

/// <summary>The local-file recovery source (board.json <c>recovery.file</c>).</summary>
/// <param name="Path">The golden image; a relative path is relative to the board directory.</param>
public sealed record FileSourceConfig(string Path)
{
    /// <summary>The golden image's path.</summary>
    public string Path { get; init => field = RecoveryConfig.CheckPath(value, nameof(Path)); } = RecoveryConfig.CheckPath(Path, nameof(Path));

    /// <summary>Reads tried before the source is given up (1-100). Default 1.</summary>
    public int Attempts { get; init => field = RecoveryConfig.CheckAttempts(value, nameof(Attempts)); } = 1;
}
