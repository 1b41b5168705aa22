using System.Text;

namespace RecoverySim.GoldenImage;

/// <summary>
/// The text fields shared by the partition header and the manifest: what characters each may
/// hold and how long it may be (docs/FORMAT.md "Partition header", text fields). In the header a
/// text field is ASCII, NUL-padded, with at least one NUL, and nothing but NULs after the first.
/// </summary>
public static class FieldText
{
    /// <summary>Longest partition name: 31 characters (a 32-byte header field).</summary>
    public const int MaxPartitionNameLength = 31;

    /// <summary>Longest board id, release id or version: 63 characters (a 64-byte header field).</summary>
    public const int MaxTextLength = 63;

    /// <summary>
    /// True for a partition name: 1 to 31 of <c>a-z 0-9 _ -</c>, starting with a letter
    /// (so it can never be <c>.</c>, <c>..</c> or contain <c>/</c> when it names a tar member).
    /// </summary>
    public static bool IsPartitionName(string? value) =>
        value is { Length: > 0 and <= MaxPartitionNameLength } && value[0] is >= 'a' and <= 'z'
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-');

    /// <summary>True for a board id or release id: 1 to 63 of <c>A-Z a-z 0-9 . _ -</c>, starting with a letter or digit.</summary>
    public static bool IsIdentifier(string? value) =>
        value is { Length: > 0 and <= MaxTextLength } && char.IsAsciiLetterOrDigit(value[0])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>True for 64 lowercase hex digits (a SHA-256 as the documents write it).</summary>
    public static bool IsSha256Hex(string? text) =>
        text is { Length: 64 } && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>True for a version string: 1 to 63 printable ASCII characters, no leading or trailing space.</summary>
    public static bool IsVersion(string? value) =>
        value is { Length: > 0 and <= MaxTextLength } && value[0] != ' ' && value[^1] != ' '
        && value.All(c => c is >= ' ' and <= '~');

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="value"/> is a partition name.</summary>
    public static string RequirePartitionName(string value, string paramName) => IsPartitionName(value) ? value
        : throw new ArgumentException($"partition name '{value}': expected 1 to {MaxPartitionNameLength} of a-z 0-9 _ - starting with a letter", paramName);

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="value"/> is an identifier.</summary>
    public static string RequireIdentifier(string value, string what, string paramName) => IsIdentifier(value) ? value
        : throw new ArgumentException($"{what} '{value}': expected 1 to {MaxTextLength} of A-Z a-z 0-9 . _ - starting with a letter or digit", paramName);

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="value"/> is a version string.</summary>
    public static string RequireVersion(string value, string paramName) => IsVersion(value) ? value
        : throw new ArgumentException($"version '{value}': expected 1 to {MaxTextLength} printable ASCII characters without leading or trailing spaces", paramName);

    /// <summary>Reads a NUL-padded header text field, checking its padding and its characters.</summary>
    internal static string ReadPadded(ReadOnlySpan<byte> field, string fieldName, Func<string?, bool> isValid, string what, string? member)
    {
        int end = field.IndexOf((byte)0);
        if (end < 0)
        {
            throw new ImageFormatException($"{what}: field {fieldName}: no NUL terminator in its {field.Length} bytes", member, fieldName);
        }

        if (field[end..].ContainsAnyExcept((byte)0))
        {
            throw new ImageFormatException($"{what}: field {fieldName}: non-zero bytes after the NUL terminator", member, fieldName);
        }

        ReadOnlySpan<byte> text = field[..end];
        if (!Ascii.IsValid(text))
        {
            throw new ImageFormatException($"{what}: field {fieldName}: not ASCII text", member, fieldName);
        }

        string value = Encoding.ASCII.GetString(text);
        if (!isValid(value))
        {
            throw new ImageFormatException($"{what}: field {fieldName}: '{Escape(value)}' has characters or a length this field does not allow", member, fieldName);
        }

        return value;
    }

    /// <summary>Writes <paramref name="value"/> (already validated) NUL-padded into <paramref name="field"/>.</summary>
    internal static void WritePadded(Span<byte> field, string value)
    {
        field.Clear();
        Encoding.ASCII.GetBytes(value, field[..(field.Length - 1)]);
    }

    /// <summary>A value quoted in a message: control characters escaped and long text cut.</summary>
    internal static string Escape(string value)
    {
        var b = new StringBuilder();
        foreach (char c in value.Length > 80 ? value[..80] : value)
        {
            b.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:x2}");
        }

        return value.Length > 80 ? b.Append("...").ToString() : b.ToString();
    }
}
