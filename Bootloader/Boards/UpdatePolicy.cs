using RecoverySim.GoldenImage;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// How the board's update agent behaves (board.json <c>update</c>, docs/FORMAT.md "board"): which
/// server and channel it follows, the id it reports under, and the user's settings: download only
/// over Wi-Fi, install only inside a maintenance window, install only with the user's approval.
/// The bootloader and recovery never read it; the agent reads it at every check, so a change made
/// with <see cref="BoardSettings"/> (the command line or the web page) takes effect at the next one.
/// </summary>
public sealed record UpdatePolicy
{
    /// <summary>Longest server URL.</summary>
    public const int MaxServerLength = 2048;

    /// <summary>Shortest poll interval: one minute.</summary>
    public const int MinPollSeconds = 60;

    /// <summary>Longest poll interval: one week.</summary>
    public const int MaxPollSeconds = 7 * 86400;

    /// <summary>Highest minimum download rate that may be asked for: 1 GiB/s.</summary>
    public const long MaxMinRate = 1L << 30;

    /// <summary>Longest span the download rate is measured over: one hour.</summary>
    public const int MaxRateWindowSeconds = 3600;

    /// <summary>The defaults: our update server on loopback, channel <c>stable</c>, any network, any time, no approval, hourly checks, 1 KiB/s over 30 s at least.</summary>
    public static UpdatePolicy Default { get; } = new();

    /// <summary>The update server's base URL (absolute <c>http</c> or <c>https</c>, no user info, query or fragment).</summary>
    public string Server { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The channel followed (<c>stable</c>, <c>beta</c>, ...).</summary>
    public string Channel { get; init; } = "stable";

    /// <summary>The id the device reports under (its serial number).</summary>
    public string DeviceId { get; init; } = "rsim-device";

    /// <summary>Download only over an unmetered link (Wi-Fi or Ethernet).</summary>
    public bool WifiOnly { get; init; }

    /// <summary>When installs may happen; null for any time.</summary>
    public MaintenanceWindow? MaintenanceWindow { get; init; }

    /// <summary>Install only a release the user approved (<c>recoverysim update DIR --approve</c>, or the settings page).</summary>
    public bool RequireApproval { get; init; }

    /// <summary>Seconds between checks when polling.</summary>
    public int PollIntervalSeconds { get; init; } = 3600;

    /// <summary>
    /// The slowest download accepted, in bytes per second over <see cref="RateWindowSeconds"/>
    /// (TUF's slow-retrieval attack); 0 turns the check off.
    /// </summary>
    public long MinRateBytesPerSecond { get; init; } = 1024;

    /// <summary>The span the download rate is measured over, in seconds.</summary>
    public int RateWindowSeconds { get; init; } = 30;

    /// <summary>True for a server URL this policy accepts (see <see cref="Server"/>).</summary>
    public static bool IsServer(string? text) =>
        text is { Length: > 0 and <= MaxServerLength }
        && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0 && !text.Any(char.IsWhiteSpace);

    /// <summary>True for a device id: the identifier rule of board ids in an update index.</summary>
    public static bool IsDeviceId(string? text) => FieldText.IsIdentifier(text);
}
