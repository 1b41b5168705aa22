using System.Globalization;
using System.Text;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Lab.Web;

/// <summary>
/// The fields of one <c>application/x-www-form-urlencoded</c> request body (WHATWG URL standard,
/// "application/x-www-form-urlencoded parsing"), read strictly: at most <see cref="MaxFields"/>
/// fields, names of a-z, 0-9 and '_', each at most once and among those the action accepts, values
/// of at most <see cref="MaxValueLength"/> characters without control characters, percent escapes
/// that decode to UTF-8. Every failure is a <see cref="FormValueException"/> naming the field.
/// </summary>
public sealed class FormValues
{
    /// <summary>Longest body read (bytes).</summary>
    public const int MaxBodyBytes = 8 * 1024;

    /// <summary>Most fields in one body.</summary>
    public const int MaxFields = 32;

    /// <summary>Longest field name.</summary>
    public const int MaxNameLength = 32;

    /// <summary>Longest value (characters, after decoding).</summary>
    public const int MaxValueLength = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _values;

    private FormValues(Dictionary<string, string> values) => _values = values;

    /// <summary>The fields, by name.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Parses <paramref name="body"/>; a field not in <paramref name="allowed"/> is an error naming the fields allowed.</summary>
    /// <exception cref="FormValueException">The body breaks a rule above.</exception>
    public static FormValues Parse(string body, IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(allowed);
        if (body.Length > MaxBodyBytes)
        {
            throw new FormValueException("(body)", $"at most {MaxBodyBytes} bytes", $"{body.Length}");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body.Length == 0)
        {
            return new FormValues(values);
        }

        string[] pairs = body.Split('&');
        if (pairs.Length > MaxFields)
        {
            throw new FormValueException("(body)", $"at most {MaxFields} fields", $"{pairs.Length}");
        }

        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Decode("(name)", equals < 0 ? pair : pair[..equals]);
            if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw new FormValueException("(name)", $"a field name of 1 to {MaxNameLength} of a-z, 0-9 and '_'", StrictJson.Quote(name));
            }

            if (!allowed.Contains(name))
            {
                throw new FormValueException(name, $"one of the fields {string.Join(", ", allowed)}", "an unknown field");
            }

            string value = Decode(name, equals < 0 ? "" : pair[(equals + 1)..]);
            if (value.Length > MaxValueLength || value.Any(char.IsControl))
            {
                throw new FormValueException(name, $"at most {MaxValueLength} characters without control characters", $"{value.Length} characters");
            }

            if (!values.TryAdd(name, value))
            {
                throw new FormValueException(name, "one value", "it again (a duplicate field)");
            }
        }

        return new FormValues(values);
    }

    /// <summary>The value of <paramref name="name"/>, or null when absent.</summary>
    public string? Text(string name) => _values.GetValueOrDefault(name);

    /// <summary>The value of <paramref name="name"/>, which must be one of <paramref name="choices"/>; <paramref name="fallback"/> when absent (an error when that is null too).</summary>
    public string Choice(string name, IReadOnlyList<string> choices, string? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(choices);
        string expected = "one of " + string.Join(", ", choices);
        string value = Text(name) ?? fallback ?? throw new FormValueException(name, expected, "nothing (the field is required)");
        return choices.Contains(value) ? value : throw new FormValueException(name, expected, StrictJson.Quote(value));
    }

    /// <summary>The value of <paramref name="name"/> as a decimal integer from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when absent or empty.</summary>
    public long Integer(string name, long min, long max, long? fallback = null)
    {
        string expected = $"an integer from {min} to {max}";
        string? text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback ?? throw new FormValueException(name, expected, "nothing (the field is required)");
        }

        // Digits only (an optional leading '-'): no spaces, no '+', no thousands separators, no exponent.
        bool digits = text.Length <= 20 && (text[0] == '-' ? text.Length > 1 && text[1..].All(char.IsAsciiDigit) : text.All(char.IsAsciiDigit));
        return digits && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max
            ? value
            : throw new FormValueException(name, expected, StrictJson.Quote(text));
    }

    /// <summary>The value of <paramref name="name"/> as <c>true</c> or <c>false</c>; <paramref name="fallback"/> when absent.</summary>
    public bool Boolean(string name, bool? fallback = null) => Choice(name, ["true", "false"], fallback is null ? null : fallback.Value ? "true" : "false") == "true";

    /// <summary>The value of <paramref name="name"/> as a time of day <c>HH:MM</c> (24-hour), or null when absent or empty.</summary>
    public TimeOnly? TimeOfDay(string name)
    {
        string? text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length == 5 && text[2] == ':' && TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly time)
            ? time
            : throw new FormValueException(name, "a time of day HH:MM (00:00 to 23:59)", StrictJson.Quote(text));
    }

    /// <summary>Decodes one name or value: '+' is a space, %XX a byte; the bytes must be UTF-8.</summary>
    private static string Decode(string field, string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal) && !text.Contains('+', StringComparison.Ordinal))
        {
            return text;
        }

        byte[] raw = Encoding.UTF8.GetBytes(text);
        var bytes = new List<byte>(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (b == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit((char)raw[i + 1]) || !char.IsAsciiHexDigit((char)raw[i + 2]))
                {
                    throw new FormValueException(Shorten(field), "percent escapes of two hex digits (%XX)", $"'%' at byte {i}");
                }

                bytes.Add((byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2])));
                i += 2;
            }
            else
            {
                bytes.Add(b);
            }
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw new FormValueException(Shorten(field), "percent escapes that decode to UTF-8", "an invalid UTF-8 sequence");
        }
    }

    private static int HexValue(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;

    private static string Shorten(string name) => name.Length <= MaxNameLength ? name : name[..MaxNameLength] + "...";
}
