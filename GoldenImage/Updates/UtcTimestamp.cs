using System.Globalization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// The one form of a time in the update index and the install reports: RFC 3339 section 5.6 in
/// UTC to the second, <c>YYYY-MM-DDTHH:MM:SSZ</c> (20 characters, no fraction, no offset other
/// than <c>Z</c>), so that each instant has exactly one text and a signed document round-trips.
/// </summary>
public static class UtcTimestamp
{
    /// <summary>The length of the text: 20 characters.</summary>
    public const int Length = 20;

    private const string Pattern = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'";

    /// <summary>The rule in words, as error messages say it.</summary>
    public const string Rule = "an RFC 3339 UTC time to the second, YYYY-MM-DDTHH:MM:SSZ";

    /// <summary>The text of <paramref name="time"/>, truncated to the second, in UTC.</summary>
    public static string Format(DateTimeOffset time) => Truncate(time).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary><paramref name="time"/> in UTC without its fraction of a second.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        DateTimeOffset utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Parses exactly the form <see cref="Format"/> writes; false for anything else.</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        return text is { Length: Length }
            && DateTimeOffset.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
