using System.Net;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// A bench's description, stored as <c>bench.json</c> (docs/FORMAT.md "Bench directory"): the
/// board id every board of the bench carries (one golden image heals them all), the boards'
/// directory names, and where the bench's TFTP server listens and what it serves.
/// </summary>
public sealed record BenchConfig
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-bench";

    /// <summary>The layout version written and accepted.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest bench.json read (bytes).</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Most boards on one bench.</summary>
    public const int MaxBoards = 64;

    /// <summary>Longest board name (a directory name: a-z, 0-9 and '-').</summary>
    public const int MaxBoardNameLength = 32;

    /// <summary>The board id images carry.</summary>
    public required string BoardId { get; init; }

    /// <summary>The boards' directory names under the bench directory, in the order the page shows them.</summary>
    public required IReadOnlyList<string> Boards { get; init; }

    /// <summary>The address the bench's TFTP server binds (loopback by default).</summary>
    public IPAddress TftpAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The bench's TFTP port (the boards' board.json points at it).</summary>
    public int TftpPort { get; init; } = 6969;

    /// <summary>The golden image's file name under <c>tftp/</c>.</summary>
    public string TftpFile { get; init; } = "golden.rsim";

    private static StrictJsonFormat<BenchDocument> Format { get; } = new(BenchJsonContext.Default, MaxFileBytes, maxDepth: 4);

    /// <summary>True for a board name: 1 to <see cref="MaxBoardNameLength"/> of a-z, 0-9 and '-', starting with a letter or digit.</summary>
    public static bool IsBoardName(string? name) =>
        name is { Length: > 0 and <= MaxBoardNameLength } && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="BenchException"/> naming the file, the JSON path and what was expected.</summary>
    public static BenchConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new BenchException($"{path}: not found (a bench directory holds bench.json; make one with 'bench create')");
        }

        try
        {
            return FromDocument(Format.ReadFile(path), new JsonFieldValidator(path));
        }
        catch (JsonInputException e)
        {
            throw new BenchException(e.Message, e);
        }
    }

    /// <summary>Parses bench.json bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="BenchException">The bytes are not a valid bench.json; the message is <c>FILE: $.path: expected X, found Y</c>.</exception>
    public static BenchConfig Parse(ReadOnlySpan<byte> json, string source = "bench.json")
    {
        try
        {
            return FromDocument(Format.Read(json, source), new JsonFieldValidator(source));
        }
        catch (JsonInputException e)
        {
            throw new BenchException(e.Message, e);
        }
    }

    /// <summary>The bench.json bytes: indented UTF-8, every field written, a final newline.</summary>
    public byte[] ToJsonBytes() => Format.Write(new BenchDocument
    {
        Format = FormatName,
        Version = CurrentVersion,
        BoardId = BoardId,
        Boards = [.. Boards],
        Tftp = new BenchTftpDocument { Address = TftpAddress.ToString(), Port = TftpPort, File = TftpFile },
    });

    /// <summary>Checks every field with the rules bench.json is read by; throws <see cref="BenchException"/> naming the first bad one.</summary>
    public void Validate() => Parse(ToJsonBytes());

    /// <summary>Field-by-field equality, <see cref="Boards"/> element by element.</summary>
    public bool Equals(BenchConfig? other) =>
        other is not null && BoardId == other.BoardId && Boards.SequenceEqual(other.Boards) && TftpAddress.Equals(other.TftpAddress)
        && TftpPort == other.TftpPort && TftpFile == other.TftpFile;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(BoardId, Boards.Count, TftpPort, TftpFile);

    private static BenchConfig FromDocument(BenchDocument d, JsonFieldValidator check)
    {
        check.Text("$.format", d.Format, f => f == FormatName, StrictJson.Quote(FormatName));
        if (d.Version != CurrentVersion)
        {
            throw check.Error("$.version", $"{CurrentVersion}", $"{d.Version}");
        }

        string boardId = check.Text("$.board_id", d.BoardId, id => id.Length is > 0 and <= BoardConfig.MaxBoardIdLength && id.All(c => c is >= '!' and <= '~'),
            $"1 to {BoardConfig.MaxBoardIdLength} printable ASCII characters without spaces");
        check.Count("$.boards", d.Boards, 1, MaxBoards, "boards");
        for (int i = 0; i < d.Boards.Count; i++)
        {
            string at = StrictJson.Element("$.boards", i);
            check.Text(at, d.Boards[i], IsBoardName, $"a board name: 1 to {MaxBoardNameLength} of a-z, 0-9 and '-', starting with a letter or digit");
            if (d.Boards.IndexOf(d.Boards[i]) != i)
            {
                throw check.Error(at, "distinct board names", $"{StrictJson.Quote(d.Boards[i])} a second time");
            }
        }

        string addressText = check.Text("$.tftp.address", d.Tftp.Address, a => IPAddress.TryParse(a, out _), "an IPv4 or IPv6 address");
        int port = check.Integer("$.tftp.port", d.Tftp.Port, 1, IPEndPoint.MaxPort);
        string file = check.Text("$.tftp.file", d.Tftp.File, TftpSourceConfig.IsFileName, $"1 to {TftpSourceConfig.MaxFileLength} characters without control characters");
        return new BenchConfig { BoardId = boardId, Boards = [.. d.Boards], TftpAddress = IPAddress.Parse(addressText), TftpPort = port, TftpFile = file };
    }
}
