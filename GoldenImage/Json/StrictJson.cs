using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RecoverySim.GoldenImage.Json;

/// <summary>
/// The one way the project reads and writes JSON: the options every file and every command's
/// <c>--json</c> output share, and the wording of values in <see cref="JsonInputException"/>s.
/// Read a file with a <see cref="StrictJsonFormat{T}"/>; check its values with a
/// <see cref="JsonFieldValidator"/>.
/// </summary>
public static class StrictJson
{
    /// <summary>Default nesting limit of a file (objects and arrays).</summary>
    public const int DefaultMaxDepth = 16;

    /// <summary>Longest text of a value quoted in a message before it is cut.</summary>
    public const int MaxQuotedLength = 60;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The writer settings: UTF-8, two-space indentation and <c>\n</c> when <paramref name="indented"/>
    /// (files people read), escaping only what JSON requires (a PEM keeps its <c>+</c> and <c>/</c>).
    /// </summary>
    public static JsonWriterOptions WriterOptions(bool indented) => indented ? Indented : Compact;

    /// <summary>
    /// The serializer settings of a strict file over <paramref name="resolver"/> (a source-generated
    /// <see cref="JsonSerializerContext"/>): snake_case names, no duplicate keys, comments, trailing
    /// commas or unknown fields, numbers as numbers, nullable annotations and <c>required</c> respected,
    /// nulls not written, indented output.
    /// </summary>
    public static JsonSerializerOptions SerializerOptions(IJsonTypeInfoResolver resolver, int maxDepth = DefaultMaxDepth) => new()
    {
        TypeInfoResolver = resolver,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = maxDepth + 1,
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes JSON with <paramref name="write"/> using <see cref="WriterOptions"/>; an indented document ends with a newline.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented)))
        {
            write(writer);
        }

        return indented ? [.. buffer.WrittenSpan, (byte)'\n'] : buffer.WrittenSpan.ToArray();
    }

    /// <summary>The text <see cref="Write"/> makes, as a string (without the final newline).</summary>
    public static string WriteString(Action<Utf8JsonWriter> write, bool indented = true) =>
        Encoding.UTF8.GetString(Write(write, indented)).TrimEnd('\n');

    /// <summary>A string value as a message quotes it: in double quotes, anything but printable ASCII as <c>\uXXXX</c>, long text cut.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var b = new StringBuilder("\"");
        foreach (char c in value.Length > MaxQuotedLength ? value[..MaxQuotedLength] : value)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                >= ' ' and <= '~' => c.ToString(),
                _ => $"\\u{(int)c:x4}",
            });
        }

        return (value.Length > MaxQuotedLength ? b.Append("...") : b).Append('"').ToString();
    }

    /// <summary>The JSON path of member <paramref name="name"/> of the object at <paramref name="parent"/>.</summary>
    public static string Member(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{parent}.{name}" : $"{parent}[{Quote(name)}]";

    /// <summary>The JSON path of element <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Element(string parent, int index) => $"{parent}[{index}]";
}
