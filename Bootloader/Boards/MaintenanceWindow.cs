using System.Globalization;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// The daily time span, in UTC, inside which the update agent may install (board.json
/// <c>update.maintenance_window</c>, text <c>HH:MM-HH:MM</c>). The start is inside, the end is not;
/// a window whose end is before its start runs over midnight (<c>22:00-02:00</c>). Start and end
/// differ: a window of no time, or of a whole day, is written <c>any</c> (no window) instead.
/// </summary>
/// <param name="Start">The first minute inside the window.</param>
/// <param name="End">The first minute after it.</param>
public readonly record struct MaintenanceWindow(TimeOnly Start, TimeOnly End)
{
    /// <summary>The rule of the text form, as errors say it.</summary>
    public const string Rule = "HH:MM-HH:MM (UTC, 24-hour, start and end different), or \"any\"";

    /// <summary>Parses <c>HH:MM-HH:MM</c>; false for anything else (and for equal start and end, or seconds).</summary>
    public static bool TryParse(string? text, out MaintenanceWindow window)
    {
        window = default;
        if (text is not { Length: 11 } || text[5] != '-'
            || !TryParseTime(text.AsSpan(0, 5), out TimeOnly start) || !TryParseTime(text.AsSpan(6, 5), out TimeOnly end) || start == end)
        {
            return false;
        }

        window = new MaintenanceWindow(start, end);
        return true;
    }

    /// <summary>True when <paramref name="time"/> (taken in UTC) is inside the window.</summary>
    public bool Contains(DateTimeOffset time)
    {
        TimeOnly t = TimeOnly.FromTimeSpan(time.UtcDateTime.TimeOfDay);
        return Start < End ? t >= Start && t < End : t >= Start || t < End;
    }

    /// <summary>The next instant at or after <paramref name="time"/> that is inside the window: <paramref name="time"/> itself when it is.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset time)
    {
        if (Contains(time))
        {
            return time;
        }

        DateTime utc = time.UtcDateTime;
        DateTime start = utc.Date + Start.ToTimeSpan();
        return new DateTimeOffset(start > utc ? start : start.AddDays(1), TimeSpan.Zero);
    }

    /// <summary>The text form, <c>HH:MM-HH:MM</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Start:HH\\:mm}-{End:HH\\:mm}");

    private static bool TryParseTime(ReadOnlySpan<char> text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH\\:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
