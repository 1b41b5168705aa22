namespace RecoverySim.Bootloader.Boards;

/// <summary>The USB stick recovery source (board.json <c>recovery.usb</c>).</summary>
/// <param name="Path">The stick: a disk image or a block device; a relative path is relative to the board directory.</param>
public sealed record UsbSourceConfig(string Path)
{
    /// <summary>Longest path on the FAT volume (characters).</summary>
    public const int MaxImagePathLength = 255;

    /// <summary>Default: <c>usb.img</c> in the board directory.</summary>
    public static UsbSourceConfig Default { get; } = new("usb.img");

    /// <summary>The stick's path.</summary>
    public string Path { get; init => field = RecoveryConfig.CheckPath(value, nameof(Path)); } = RecoveryConfig.CheckPath(Path, nameof(Path));

    /// <summary>Where the golden image is on the stick's FAT volume: absolute, <c>/</c>-separated. Default <c>/recovery/golden.rsim</c>.</summary>
    public string ImagePath { get; init => field = CheckImagePath(value); } = "/recovery/golden.rsim";

    /// <summary>Reads tried before the source is given up (1-100). Default 1.</summary>
    public int Attempts { get; init => field = RecoveryConfig.CheckAttempts(value, nameof(Attempts)); } = 1;

    /// <summary>True for a path on the FAT volume: starts with <c>/</c>, 2 to 255 characters, no control characters or backslashes.</summary>
    public static bool IsImagePath(string? value) =>
        value is { Length: > 1 and <= MaxImagePathLength } && value[0] == '/' && value[^1] != '/' && !value.Any(c => char.IsControl(c) || c == '\\');

    private static string CheckImagePath(string value) => IsImagePath(value) ? value
        : throw new ArgumentException($"ImagePath '{value}': expected an absolute path of 2 to {MaxImagePathLength} characters with '/' separators", nameof(ImagePath));
}
