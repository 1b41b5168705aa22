using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace RecoverySim.GoldenImage.Json;

/// <summary>
/// One strict JSON file format: a source-generated type read from bytes that must follow it
/// exactly, and written back the one way (<see cref="StrictJson"/>). Before the serializer sees
/// the bytes, a walk over them against the type's metadata refuses, with the JSON path: a file
/// over the size limit, bytes that are not UTF-8, malformed JSON (comments and trailing commas
/// included), nesting over the depth limit, duplicate keys, unknown fields, missing
/// <c>required</c> fields, a value of the wrong type, a number that does not fit, a null where
/// the property is not nullable, and a string with a lone UTF-16 surrogate escape. So every
/// failure is one <see cref="JsonInputException"/> in the form <c>FILE: $.path: expected X, found Y</c>,
/// never the runtime's text. Range and format checks of the values follow with a
/// <see cref="JsonFieldValidator"/>.
/// </summary>
/// <typeparam name="T">The file's shape: classes with properties, lists, strings, integers and booleans.</typeparam>
public sealed class StrictJsonFormat<T>
{
    private readonly JsonTypeInfo<T> _type;

    /// <summary>Creates the format of <typeparamref name="T"/> from <paramref name="resolver"/> (a source-generated context).</summary>
    /// <param name="resolver">Where the metadata of <typeparamref name="T"/> comes from: a <c>JsonSerializerContext</c>.</param>
    /// <param name="maxBytes">Largest file read.</param>
    /// <param name="maxDepth">Deepest nesting of objects and arrays.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> uses a type the walk does not check (a dictionary, a floating-point number, an enum).</exception>
    public StrictJsonFormat(IJsonTypeInfoResolver resolver, int maxBytes, int maxDepth = StrictJson.DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        _type = (JsonTypeInfo<T>)StrictJson.SerializerOptions(resolver, maxDepth).GetTypeInfo(typeof(T));
        MaxBytes = maxBytes;
        MaxDepth = maxDepth;
        CheckSupported(_type, [], typeof(T).Name);
    }

    /// <summary>Largest file read, in bytes.</summary>
    public int MaxBytes { get; }

    /// <summary>Deepest nesting of objects and arrays.</summary>
    public int MaxDepth { get; }

    /// <summary>Reads <paramref name="utf8"/> strictly; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="JsonInputException">The bytes do not follow the format.</exception>
    public T Read(ReadOnlySpan<byte> utf8, string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (utf8.Length > MaxBytes)
        {
            throw new JsonInputException(file, "$", $"at most {MaxBytes} bytes", $"{utf8.Length} bytes");
        }

        if (FirstInvalidUtf8(utf8) is int bad)
        {
            throw new JsonInputException(file, "$", "UTF-8 text", $"an invalid UTF-8 sequence at byte {bad}");
        }

        var walk = new Walk(file, MaxDepth, utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = MaxDepth + 1 });
        walk.Next(ref reader, "$", "a JSON object");
        walk.Value(ref reader, _type, "$", nullable: false);
        walk.End(ref reader);
        try
        {
            return JsonSerializer.Deserialize(utf8, _type) ?? throw new JsonInputException(file, "$", Walk.Describe(_type), "null");
        }
        catch (JsonException e)
        {
            // The walk accepts only what the serializer reads; this is a last line of defence that still keeps the one form.
            throw new JsonInputException(file, e.Path ?? "$", "a value the format allows", "one it does not");
        }
    }

    /// <summary>Reads the file at <paramref name="path"/> strictly, checking its size before reading it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="file">How errors name it; default <paramref name="path"/>.</param>
    /// <exception cref="JsonInputException">The file does not follow the format.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public T ReadFile(string path, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        file ??= path;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > MaxBytes)
        {
            throw new JsonInputException(file, "$", $"at most {MaxBytes} bytes", $"{stream.Length} bytes");
        }

        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Read(bytes, file);
    }

    /// <summary>The file's bytes for <paramref name="value"/>: indented UTF-8 JSON, properties in declaration order, a final newline.</summary>
    public byte[] Write(T value) => StrictJson.Write(w => JsonSerializer.Serialize(w, value, _type));

    private static int? FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            return null;
        }

        Span<char> chars = stackalloc char[512];
        int offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(utf8[offset..], chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                return offset;
            }

            if (status == System.Buffers.OperationStatus.Done)
            {
                return null;
            }
        }
    }

    private static void CheckSupported(JsonTypeInfo type, HashSet<Type> seen, string where)
    {
        if (!seen.Add(type.Type))
        {
            return;
        }

        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (JsonPropertyInfo property in type.Properties)
                {
                    CheckSupported(type.Options.GetTypeInfo(property.PropertyType), seen, $"{where}.{property.Name}");
                }

                break;
            case JsonTypeInfoKind.Enumerable:
                CheckSupported(type.Options.GetTypeInfo(type.ElementType!), seen, where + "[]");
                break;
            case JsonTypeInfoKind.None when Walk.Primitive(type.Type) is not null:
                break;
            default:
                throw new ArgumentException($"{where}: type {type.Type.Name} is not one a strict JSON format checks (objects, lists, strings, integers, booleans)", nameof(T));
        }
    }

    /// <summary>The checking walk over one document.</summary>
    private readonly ref struct Walk(string file, int maxDepth, ReadOnlySpan<byte> utf8)
    {
        private readonly ReadOnlySpan<byte> _utf8 = utf8;

        /// <summary>The primitive type a walk checks a scalar as, or null when it does not check it.</summary>
        public static Type? Primitive(Type type)
        {
            Type t = Nullable.GetUnderlyingType(type) ?? type;
            return t == typeof(string) || t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(ulong) || t == typeof(uint) ? t : null;
        }

        /// <summary>What a value of <paramref name="type"/> is, in a message.</summary>
        public static string Describe(JsonTypeInfo type)
        {
            Type t = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
            return type.Kind switch
            {
                JsonTypeInfoKind.Object => "an object",
                JsonTypeInfoKind.Enumerable => "an array",
                _ when t == typeof(string) => "a string",
                _ when t == typeof(bool) => "true or false",
                _ when t == typeof(int) => $"an integer from {int.MinValue} to {int.MaxValue}",
                _ when t == typeof(uint) => $"an integer from 0 to {uint.MaxValue}",
                _ when t == typeof(long) => $"an integer from {long.MinValue} to {long.MaxValue}",
                _ when t == typeof(ulong) => $"an integer from 0 to {ulong.MaxValue}",
                _ => "a value",
            };
        }

        /// <summary>Reads the next token, turning a malformed document into the one error form.</summary>
        public void Next(ref Utf8JsonReader reader, string path, string expected)
        {
            bool read;
            try
            {
                read = reader.Read();
            }
            catch (JsonException e)
            {
                throw Malformed(path, e);
            }

            if (!read)
            {
                throw new JsonInputException(file, path, expected, "the end of the file");
            }
        }

        /// <summary>After the top-level value: nothing but whitespace may follow.</summary>
        public void End(ref Utf8JsonReader reader)
        {
            try
            {
                if (reader.Read())
                {
                    throw new JsonInputException(file, "$", "the end of the file after the JSON value", Found(ref reader));
                }
            }
            catch (JsonException e)
            {
                throw new JsonInputException(file, "$", "the end of the file after the JSON value", At(e));
            }
        }

        /// <summary>Checks the value the reader is on against <paramref name="type"/>, and leaves the reader on its last token.</summary>
        public void Value(ref Utf8JsonReader reader, JsonTypeInfo type, string path, bool nullable)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (nullable)
                {
                    return;
                }

                throw new JsonInputException(file, path, Describe(type), "null");
            }

            switch (type.Kind)
            {
                case JsonTypeInfoKind.Object:
                    Object(ref reader, type, path);
                    return;
                case JsonTypeInfoKind.Enumerable:
                    Array(ref reader, type, path);
                    return;
                default:
                    Scalar(ref reader, type, path);
                    return;
            }
        }

        private void Object(ref Utf8JsonReader reader, JsonTypeInfo type, string path)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonInputException(file, path, "an object", Found(ref reader));
            }

            Deeper(ref reader, path);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                Next(ref reader, path, "a field name or '}'");
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                string name = Text(ref reader, path, "a field name of Unicode text");
                string at = StrictJson.Member(path, name);
                if (!seen.Add(name))
                {
                    throw new JsonInputException(file, at, "each field once", "it again (a duplicate key)");
                }

                JsonPropertyInfo? property = null;
                foreach (JsonPropertyInfo candidate in type.Properties)
                {
                    if (candidate.Name == name)
                    {
                        property = candidate;
                        break;
                    }
                }

                if (property is null)
                {
                    throw new JsonInputException(file, at, $"one of the fields {string.Join(", ", type.Properties.Select(p => p.Name))}", "an unknown field");
                }

                Next(ref reader, at, "a value");
                bool nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null || (!property.PropertyType.IsValueType && property.IsSetNullable);
                Value(ref reader, type.Options.GetTypeInfo(property.PropertyType), at, nullable);
            }

            foreach (JsonPropertyInfo property in type.Properties)
            {
                if (property.IsRequired && !seen.Contains(property.Name))
                {
                    throw new JsonInputException(file, StrictJson.Member(path, property.Name), Describe(type.Options.GetTypeInfo(property.PropertyType)), "nothing (the field is required)");
                }
            }
        }

        private void Array(ref Utf8JsonReader reader, JsonTypeInfo type, string path)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonInputException(file, path, "an array", Found(ref reader));
            }

            Deeper(ref reader, path);
            JsonTypeInfo element = type.Options.GetTypeInfo(type.ElementType!);
            for (int i = 0; ; i++)
            {
                Next(ref reader, StrictJson.Element(path, i), "a value or ']'");
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return;
                }

                Value(ref reader, element, StrictJson.Element(path, i), Nullable.GetUnderlyingType(element.Type) is not null);
            }
        }

        private void Scalar(ref Utf8JsonReader reader, JsonTypeInfo type, string path)
        {
            Type t = Primitive(type.Type)!;
            bool ok = reader.TokenType switch
            {
                JsonTokenType.String => t == typeof(string),
                JsonTokenType.True or JsonTokenType.False => t == typeof(bool),
                JsonTokenType.Number => t == typeof(int) ? reader.TryGetInt32(out _)
                    : t == typeof(uint) ? reader.TryGetUInt32(out _)
                    : t == typeof(long) ? reader.TryGetInt64(out _)
                    : t == typeof(ulong) && reader.TryGetUInt64(out _),
                _ => false,
            };
            if (!ok)
            {
                throw new JsonInputException(file, path, Describe(type), Found(ref reader));
            }

            if (t == typeof(string))
            {
                Text(ref reader, path, "a string of Unicode text");
            }
        }

        private void Deeper(ref Utf8JsonReader reader, string path)
        {
            if (reader.CurrentDepth >= maxDepth)
            {
                throw new JsonInputException(file, path, $"at most {maxDepth} levels of nested objects and arrays", "more");
            }
        }

        /// <summary>The string the reader is on; a lone surrogate escape (<c>\ud800</c>) is refused with the raw text.</summary>
        private string Text(ref Utf8JsonReader reader, string path, string expected)
        {
            try
            {
                return reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw new JsonInputException(file, path, expected, $"\"{Raw(ref reader)}\", which holds a lone UTF-16 surrogate");
            }
        }

        private static string Raw(ref Utf8JsonReader reader)
        {
            string raw = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
            return raw.Length > StrictJson.MaxQuotedLength ? raw[..StrictJson.MaxQuotedLength] + "..." : raw;
        }

        /// <summary>The token the reader is on, as a message shows it.</summary>
        private static string Found(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: return "an object";
                case JsonTokenType.StartArray: return "an array";
                case JsonTokenType.True: return "true";
                case JsonTokenType.False: return "false";
                case JsonTokenType.Null: return "null";
                case JsonTokenType.Number: return Raw(ref reader);
                case JsonTokenType.String or JsonTokenType.PropertyName:
                    try
                    {
                        return StrictJson.Quote(reader.GetString()!);
                    }
                    catch (InvalidOperationException)
                    {
                        return $"\"{Raw(ref reader)}\"";
                    }

                default: return reader.TokenType.ToString();
            }
        }

        private JsonInputException Malformed(string path, JsonException e) =>
            new(file, path, "well-formed JSON (RFC 8259: no comments, no trailing commas)", At(e));

        /// <summary>Where a malformed document goes wrong: the byte, with its line and column.</summary>
        private string At(JsonException e)
        {
            long line = e.LineNumber ?? 0, column = e.BytePositionInLine ?? 0;
            long offset = 0;
            for (long l = 0; l < line && offset < _utf8.Length; l++)
            {
                int newline = _utf8[(int)offset..].IndexOf((byte)'\n');
                offset = newline < 0 ? _utf8.Length : offset + newline + 1;
            }

            offset += column;
            string where = $"at line {line + 1}, column {column + 1}";
            if (offset >= _utf8.Length)
            {
                return $"the end of the file {where}";
            }

            byte b = _utf8[(int)offset];
            return b is >= (byte)' ' and <= (byte)'~' ? $"'{(char)b}' {where}" : $"byte 0x{b:x2} {where}";
        }
    }
}
