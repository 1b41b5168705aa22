using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RecoverySim.Cli;

/// <summary>
/// Numeric flags with their range checked where the text is parsed: a bad value is one parse
/// error naming the flag, the range and the text (<c>--blksize: expected an integer from 8 to
/// 65464, found '2147483648'</c>), never System.CommandLine's message with a runtime type name,
/// and never a value that has been rounded or printed in exponent form.
/// </summary>
public static class NumericOptions
{
    /// <summary>An integer flag from <paramref name="min"/> to <paramref name="max"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<int> Integer(string name, string description, int min, int max, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => (int)(ParseInteger(result, name, min, max) ?? defaultValue),
    };

    /// <summary>An integer flag from <paramref name="min"/> to <paramref name="max"/>, null when absent.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = result => (int?)ParseInteger(result, name, min, max),
    };

    /// <summary>A 64-bit integer flag from <paramref name="min"/> to <paramref name="max"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<long> Long(string name, string description, long min, long max, long defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInteger(result, name, min, max) ?? defaultValue,
    };

    /// <summary>A 64-bit integer flag from <paramref name="min"/> to <paramref name="max"/>, null when absent.</summary>
    public static Option<long?> OptionalLong(string name, string description, long min, long max) => new(name)
    {
        Description = description,
        CustomParser = result => ParseInteger(result, name, min, max),
    };

    /// <summary>An unsigned 64-bit integer flag (0 to 2^64 - 1); <paramref name="defaultValue"/> when absent, or required when null.</summary>
    public static Option<ulong> UnsignedLong(string name, string description, ulong? defaultValue)
    {
        var option = new Option<ulong>(name)
        {
            Description = description,
            Required = defaultValue is null,
            CustomParser = result =>
            {
                string? text = Text(result);
                if (text is null)
                {
                    return defaultValue ?? 0;
                }

                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
                {
                    return value;
                }

                result.AddError($"{name}: expected an integer from 0 to {ulong.MaxValue}, found '{text}'");
                return 0;
            },
        };
        if (defaultValue is ulong d)
        {
            option.DefaultValueFactory = _ => d;
        }

        return option;
    }

    /// <summary>A number of seconds, more than 0 and at most <paramref name="max"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<double> Seconds(string name, string description, double max, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string? text = Text(result);
            if (text is null)
            {
                return defaultValue;
            }

            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0 && value <= max)
            {
                return value;
            }

            result.AddError($"{name}: expected seconds, more than 0 and at most {max.ToString(CultureInfo.InvariantCulture)}, found '{text}'");
            return defaultValue;
        },
    };

    private static long? ParseInteger(ArgumentResult result, string name, long min, long max)
    {
        string? text = Text(result);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{name}: expected an integer from {min} to {max}, found '{text}'");
        return null;
    }

    private static string? Text(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
}
