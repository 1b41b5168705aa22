using RecoverySim.GoldenImage.Json;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// What a device tells the update server after an update attempt (docs/FORMAT.md "Update server
/// HTTP API", reports): its board and device id, the release it ran and the one it tried, the
/// outcome, a one-line detail and the device's time. Parsed strictly, at most
/// <see cref="MaxLength"/> bytes; <see cref="ReceivedAt"/> is set by the server only.
/// </summary>
public sealed record InstallReport
{
    /// <summary>Largest report accepted: 8 KiB.</summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>Longest <c>detail</c>: 1024 characters.</summary>
    public const int MaxDetailLength = 1024;

    private const string Identifier = "1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit";

    private static readonly IReadOnlyList<(string Name, InstallOutcome Value)> Outcomes =
        [("installed", InstallOutcome.Installed), ("rolled_back", InstallOutcome.RolledBack), ("failed", InstallOutcome.Failed), ("refused", InstallOutcome.Refused)];

    /// <summary>The <c>outcome</c> field's name of <paramref name="outcome"/> (<c>installed</c>, <c>rolled_back</c>, <c>failed</c>, <c>refused</c>).</summary>
    public static string OutcomeName(InstallOutcome outcome) =>
        Outcomes.FirstOrDefault(o => o.Value == outcome).Name ?? throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not an install outcome");

    private static StrictJsonFormat<InstallReportDocument> Format { get; } = new(InstallReportJsonContext.Default, MaxLength, maxDepth: 2);

    /// <summary>Creates a report, checking every value (<see cref="ArgumentException"/> for a bad one).</summary>
    public InstallReport(string boardId, string deviceId, string? fromRelease, string toRelease, InstallOutcome outcome, string detail, DateTimeOffset time, DateTimeOffset? receivedAt = null)
    {
        try
        {
            Validate(boardId, deviceId, fromRelease, toRelease, outcome, detail, time, receivedAt, new JsonFieldValidator("report"));
        }
        catch (JsonInputException e)
        {
            throw new ArgumentException(e.Message, e);
        }

        BoardId = boardId;
        DeviceId = deviceId;
        FromRelease = fromRelease;
        ToRelease = toRelease;
        Outcome = outcome;
        Detail = detail;
        Time = time;
        ReceivedAt = receivedAt;
    }

    /// <summary>The device's board id.</summary>
    public string BoardId { get; }

    /// <summary>The device's own id (serial number).</summary>
    public string DeviceId { get; }

    /// <summary>The release the device ran before the attempt, or null when it does not know (a blank board).</summary>
    public string? FromRelease { get; }

    /// <summary>The release the attempt was for.</summary>
    public string ToRelease { get; }

    /// <summary>How the attempt ended.</summary>
    public InstallOutcome Outcome { get; }

    /// <summary>One line of detail (the refusal's reason, the failing step); may be empty.</summary>
    public string Detail { get; }

    /// <summary>The device's clock when it wrote the report (UTC, to the second).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The server's clock when it stored the report; null in a report a device sends.</summary>
    public DateTimeOffset? ReceivedAt { get; }

    /// <summary>The report with the server's receipt time.</summary>
    public InstallReport Received(DateTimeOffset at) => new(BoardId, DeviceId, FromRelease, ToRelease, Outcome, Detail, Time, UtcTimestamp.Truncate(at));

    /// <summary>The report as UTF-8 JSON, indented (a file) or on one line (a line of the report log), fields in schema order.</summary>
    public byte[] ToJson(bool indented = false)
    {
        var document = new InstallReportDocument
        {
            BoardId = BoardId,
            DeviceId = DeviceId,
            FromRelease = FromRelease,
            ToRelease = ToRelease,
            Outcome = OutcomeName(Outcome),
            Detail = Detail,
            Time = UtcTimestamp.Format(Time),
            ReceivedAt = ReceivedAt is { } r ? UtcTimestamp.Format(r) : null,
        };
        return indented ? Format.Write(document) : StrictJson.Write(w => System.Text.Json.JsonSerializer.Serialize(w, document, InstallReportJsonContext.Default.InstallReportDocument), indented: false);
    }

    /// <summary>Parses a report strictly; <paramref name="source"/> names it in errors.</summary>
    /// <param name="utf8">The report's bytes.</param>
    /// <param name="source">How errors name the report ("report", "reports.jsonl line 7").</param>
    /// <param name="allowReceivedAt">True for a stored report; a device's report may not carry <c>received_at</c>.</param>
    /// <exception cref="ImageFormatException">Not a valid report; the message names the JSON path, expected and found.</exception>
    public static InstallReport Parse(ReadOnlySpan<byte> utf8, string source = "report", bool allowReceivedAt = false)
    {
        try
        {
            InstallReportDocument d = Format.Read(utf8, source);
            var check = new JsonFieldValidator(source);
            InstallOutcome outcome = check.Choice("$.outcome", d.Outcome, Outcomes);
            DateTimeOffset time = UtcTimestamp.TryParse(d.Time, out DateTimeOffset t) ? t : throw check.Error("$.time", UtcTimestamp.Rule, StrictJson.Quote(d.Time));
            DateTimeOffset? received = null;
            if (d.ReceivedAt is not null)
            {
                received = !allowReceivedAt ? throw check.Error("$.received_at", "no such field (the server sets it)", StrictJson.Quote(d.ReceivedAt))
                    : UtcTimestamp.TryParse(d.ReceivedAt, out DateTimeOffset r) ? r : throw check.Error("$.received_at", UtcTimestamp.Rule, StrictJson.Quote(d.ReceivedAt));
            }

            Validate(d.BoardId, d.DeviceId, d.FromRelease, d.ToRelease, outcome, d.Detail, time, received, check);
            return new InstallReport(d.BoardId, d.DeviceId, d.FromRelease, d.ToRelease, outcome, d.Detail, time, received);
        }
        catch (JsonInputException e)
        {
            throw new ImageFormatException(e.Message, source, e.Field, e);
        }
    }

    private static void Validate(string boardId, string deviceId, string? fromRelease, string toRelease, InstallOutcome outcome, string detail,
        DateTimeOffset time, DateTimeOffset? receivedAt, JsonFieldValidator check)
    {
        check.Text("$.board_id", boardId, FieldText.IsIdentifier, Identifier);
        check.Text("$.device_id", deviceId, FieldText.IsIdentifier, Identifier);
        if (fromRelease is not null)
        {
            check.Text("$.from_release", fromRelease, FieldText.IsIdentifier, Identifier + ", or null");
        }

        check.Text("$.to_release", toRelease, FieldText.IsIdentifier, Identifier);
        if (!Outcomes.Any(o => o.Value == outcome))
        {
            throw check.Error("$.outcome", "installed, rolled_back, failed or refused", outcome.ToString());
        }

        check.Text("$.detail", detail, d => d is not null && d.Length <= MaxDetailLength && !d.Any(char.IsControl),
            $"at most {MaxDetailLength} characters on one line (no control characters)");
        if (UtcTimestamp.Truncate(time) != time || (receivedAt is { } r && UtcTimestamp.Truncate(r) != r))
        {
            throw check.Error("$.time", "a time in UTC to the second", $"{time:O}");
        }
    }
}
