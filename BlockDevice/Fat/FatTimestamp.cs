namespace RecoverySim.BlockDevice.Fat;

/// <summary>FAT's local-time date and time words (fatgen103 section 6.1): 2-second resolution, years 1980 … 2107.</summary>
internal static class FatTimestamp
{
    /// <summary>The time the words stand for, or null when they are not a valid date and time.</summary>
    public static DateTime? Decode(ushort date, ushort time)
    {
        int day = date & 0x1F;
        int month = (date >> 5) & 0x0F;
        int year = 1980 + (date >> 9);
        int seconds = (time & 0x1F) * 2;
        int minutes = (time >> 5) & 0x3F;
        int hours = time >> 11;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hours > 23 || minutes > 59 || seconds > 59)
        {
            return null;
        }

        return new DateTime(year, month, day, hours, minutes, seconds, DateTimeKind.Unspecified);
    }

    /// <summary>The date and time words of <paramref name="value"/> (clamped to 1980 … 2107; odd seconds rounded down).</summary>
    public static (ushort Date, ushort Time) Encode(DateTime value)
    {
        if (value.Year < 1980)
        {
            value = new DateTime(1980, 1, 1);
        }
        else if (value.Year > 2107)
        {
            value = new DateTime(2107, 12, 31, 23, 59, 58);
        }

        ushort date = (ushort)(((value.Year - 1980) << 9) | (value.Month << 5) | value.Day);
        ushort time = (ushort)((value.Hour << 11) | (value.Minute << 5) | (value.Second / 2));
        return (date, time);
    }
}
