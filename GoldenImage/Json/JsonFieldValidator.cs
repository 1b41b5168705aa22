using System.Globalization;

namespace RecoverySim.GoldenImage.Json;

/// <summary>
/// Checks the values of a file read by a <see cref="StrictJsonFormat{T}"/> (ranges, formats,
/// counts), each failure a <see cref="JsonInputException"/> naming the file, the JSON path, what
/// was expected and what was found.
/// </summary>
/// <param name="file">The file, as errors name it.</param>
public sealed class JsonFieldValidator(string file)
{
    /// <summary>The file, as errors name it.</summary>
    public string File { get; } = file ?? throw new ArgumentNullException(nameof(file));

    /// <summary>The error at <paramref name="path"/>: expected <paramref name="expected"/>, found <paramref name="found"/>.</summary>
    public JsonInputException Error(string path, string expected, string found) => new(File, path, expected, found);

    /// <summary><paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when absent (an error when that is null too).</summary>
    public int Integer(string path, int? value, int min, int max, int? fallback = null) =>
        (int)Integer(path, (long?)value, min, max, fallback);

    /// <summary><paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when absent (an error when that is null too).</summary>
    public long Integer(string path, long? value, long min, long max, long? fallback = null)
    {
        long v = value ?? fallback ?? throw Error(path, $"an integer from {min} to {max}", "nothing");
        return v >= min && v <= max ? v : throw Error(path, $"an integer from {min} to {max}", v.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary><paramref name="value"/> when <paramref name="isValid"/> accepts it; <paramref name="fallback"/> when absent (an error when that is null too).</summary>
    /// <param name="path">The value's JSON path.</param>
    /// <param name="value">The value read, or null when absent.</param>
    /// <param name="isValid">The format's rule.</param>
    /// <param name="expected">The rule in words ("1 to 64 printable ASCII characters").</param>
    /// <param name="fallback">The default, or null when the field is required.</param>
    public string Text(string path, string? value, Func<string, bool> isValid, string expected, string? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(isValid);
        string v = value ?? fallback ?? throw Error(path, expected, "nothing");
        return isValid(v) ? v : throw Error(path, expected, StrictJson.Quote(v));
    }

    /// <summary>The one of <paramref name="choices"/> named <paramref name="value"/>; <paramref name="fallback"/> when absent.</summary>
    public T Choice<T>(string path, string? value, IReadOnlyList<(string Name, T Value)> choices, string? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(choices);
        string v = value ?? fallback ?? throw Error(path, OneOf(choices), "nothing");
        foreach ((string name, T choice) in choices)
        {
            if (name == v)
            {
                return choice;
            }
        }

        throw Error(path, OneOf(choices), StrictJson.Quote(v));
    }

    /// <summary><paramref name="items"/> when it has <paramref name="min"/> to <paramref name="max"/> entries; <paramref name="what"/> names them ("keys").</summary>
    public IReadOnlyList<T> Count<T>(string path, IReadOnlyList<T>? items, int min, int max, string what)
    {
        int count = items?.Count ?? 0;
        return items is not null && count >= min && count <= max ? items : throw Error(path, $"{min} to {max} {what}", items is null ? "nothing" : $"{count}");
    }

    private static string OneOf<T>(IReadOnlyList<(string Name, T Value)> choices) =>
        "one of " + string.Join(", ", choices.Select(c => StrictJson.Quote(c.Name)));
}
