using System.Globalization;

namespace RecoverySim.Bootloader.Os;

/// <summary>
/// The health behaviour of the simulated OS: <c>healthy</c>, <c>hang</c> or
/// <c>crash-after=N</c> (N seconds after start, simulated time).
/// </summary>
/// <param name="Kind">The behaviour.</param>
/// <param name="CrashAfter">For <see cref="OsHealthKind.CrashAfter"/>: time from OS start to the crash.</param>
public readonly record struct OsHealth(OsHealthKind Kind, TimeSpan CrashAfter)
{
    /// <summary>Longest crash delay accepted (one day).</summary>
    public const int MaxCrashSeconds = 86400;

    /// <summary>A healthy OS.</summary>
    public static OsHealth Healthy => new(OsHealthKind.Healthy, TimeSpan.Zero);

    /// <summary>An OS that hangs.</summary>
    public static OsHealth Hang => new(OsHealthKind.Hang, TimeSpan.Zero);

    /// <summary>An OS that crashes <paramref name="seconds"/> after start.</summary>
    public static OsHealth Crash(int seconds) =>
        seconds is < 0 or > MaxCrashSeconds
            ? throw new ArgumentOutOfRangeException(nameof(seconds), seconds, $"crash delay must be 0 to {MaxCrashSeconds} seconds")
            : new OsHealth(OsHealthKind.CrashAfter, TimeSpan.FromSeconds(seconds));

    /// <summary>Parses <c>healthy</c>, <c>hang</c> or <c>crash-after=N</c>.</summary>
    public static bool TryParse(string? text, out OsHealth health)
    {
        health = Healthy;
        switch (text)
        {
            case "healthy": return true;
            case "hang": health = Hang; return true;
        }

        const string prefix = "crash-after=";
        if (text is not null && text.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
            && seconds <= MaxCrashSeconds)
        {
            health = Crash(seconds);
            return true;
        }

        return false;
    }

    /// <summary>Parses like <see cref="TryParse"/> or throws <see cref="FormatException"/> naming the accepted forms.</summary>
    public static OsHealth Parse(string? text) => TryParse(text, out OsHealth health) ? health
        : throw new FormatException($"OS health: expected healthy, hang or crash-after=N (N = 0 to {MaxCrashSeconds} seconds), found '{text}'");

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        OsHealthKind.Healthy => "healthy",
        OsHealthKind.Hang => "hang",
        _ => $"crash-after={(long)CrashAfter.TotalSeconds}",
    };
}
