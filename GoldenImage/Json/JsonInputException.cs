namespace RecoverySim.GoldenImage.Json;

/// <summary>
/// A JSON file is not what its format allows. The message has one form for every JSON file the
/// project reads: <c>FILE: $.json.path: expected X, found Y</c>, e.g.
/// <c>board.json: $.boot_limits.max_tries: expected an integer from 1 to 7, found 9</c>. Readers of
/// a particular file turn it into their domain exception with the same message.
/// </summary>
public sealed class JsonInputException : FormatException
{
    /// <summary>Creates the exception from its parts.</summary>
    /// <param name="file">The file, as the user named it.</param>
    /// <param name="path">The JSON path of the value, <c>$</c> for the whole document.</param>
    /// <param name="expected">What the format allows there ("an integer from 1 to 7").</param>
    /// <param name="found">What the file holds there ("9", "nothing", "\"zz\"").</param>
    public JsonInputException(string file, string path, string expected, string found)
        : base($"{file}: {path}: expected {expected}, found {found}")
    {
        File = file;
        Path = path;
        Expected = expected;
        Found = found;
    }

    /// <summary>The file, as the user named it.</summary>
    public string File { get; }

    /// <summary>The JSON path of the value (<c>$</c>, <c>$.board_id</c>, <c>$.partitions[0].size</c>).</summary>
    public string Path { get; }

    /// <summary>What the format allows at <see cref="Path"/>.</summary>
    public string Expected { get; }

    /// <summary>What the file holds at <see cref="Path"/>.</summary>
    public string Found { get; }

    /// <summary>The path without its leading <c>$.</c> (<c>partitions[0].size</c>), or <c>json</c> for the whole document.</summary>
    public string Field => Path.StartsWith("$.", StringComparison.Ordinal) ? Path[2..] : Path == "$" ? "json" : Path.TrimStart('$');
}
