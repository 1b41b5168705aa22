using RecoverySim.GoldenImage.Json;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Bootloader.Boards;

/// <summary>The TFTP recovery source (board.json <c>recovery.tftp</c>): the server, the file to read, and how to ask for it.</summary>
/// <param name="Server">The server's address (syntax checked when board.json is read; resolved when used).</param>
/// <param name="File">The file name to read (1 to <see cref="MaxFileLength"/> printable characters).</param>
public sealed record TftpSourceConfig(TftpEndPoint Server, string File)
{
    /// <summary>Longest file name (characters): a read request must fit in 512 bytes with its options (RFC 2347).</summary>
    public const int MaxFileLength = 255;

    /// <summary>Shortest and longest per-packet retransmission timeout, in milliseconds.</summary>
    public const int MinTimeoutMs = 10, MaxTimeoutMs = 60_000;

    /// <summary>Default: 127.0.0.1:69, file <c>golden.rsim</c>.</summary>
    public static TftpSourceConfig Default { get; } = new(new TftpEndPoint("127.0.0.1", TftpEndPoint.DefaultPort), "golden.rsim");

    /// <summary>
    /// Parses <c>HOST[:PORT]/FILE</c> (<c>127.0.0.1:69/golden.rsim</c>, <c>[::1]:6969/g</c>) into a
    /// source with the default settings. Throws <see cref="FormatException"/> saying what is wrong
    /// (a <see cref="TftpEndPointFormatException"/> for the address part).
    /// </summary>
    public static TftpSourceConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            throw new FormatException($"expected HOST[:PORT]/FILE, found {StrictJson.Quote(text)}");
        }

        TftpEndPoint server = TftpEndPoint.Parse(text[..slash]);
        string file = text[(slash + 1)..];
        return IsFileName(file) ? new TftpSourceConfig(server, file)
            : throw new FormatException($"file {StrictJson.Quote(file)}: expected 1 to {MaxFileLength} characters without control characters");
    }

    /// <summary>The server's address.</summary>
    public TftpEndPoint Server { get; init => field = value ?? throw new ArgumentNullException(nameof(Server)); } = Server ?? throw new ArgumentNullException(nameof(Server));

    /// <summary>The file name to read.</summary>
    public string File { get; init => field = CheckFile(value); } = CheckFile(File);

    /// <summary>Transfers tried before the source is given up (1-100). Default 3.</summary>
    public int Attempts { get; init => field = RecoveryConfig.CheckAttempts(value, nameof(Attempts)); } = 3;

    /// <summary>Per-packet retransmission timeout in milliseconds (10-60000). Default 1000.</summary>
    public int TimeoutMs { get; init => field = RecoveryConfig.InRange(value, MinTimeoutMs, MaxTimeoutMs, nameof(TimeoutMs)); } = 1000;

    /// <summary>The blksize asked for (8-65464, RFC 2348); the server may refuse it. Default 1468 (an Ethernet frame).</summary>
    public int BlockSize { get; init => field = RecoveryConfig.InRange(value, TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize, nameof(BlockSize)); } = 1468;

    /// <summary>The windowsize asked for (1-65535, RFC 7440). Default 8.</summary>
    public int WindowSize { get; init => field = RecoveryConfig.InRange(value, TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize, nameof(WindowSize)); } = 8;

    /// <summary>True for a file name this source can ask for: 1 to <see cref="MaxFileLength"/> characters, none of them a control character.</summary>
    public static bool IsFileName(string? value) => value is { Length: > 0 and <= MaxFileLength } && !value.Any(char.IsControl);

    private static string CheckFile(string value) => IsFileName(value) ? value
        : throw new ArgumentException($"File '{value}': expected 1 to {MaxFileLength} characters without control characters", nameof(File));
}
