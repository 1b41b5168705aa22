using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>An install report as the request body (and, with <c>received_at</c>, a line of the report log) holds it.</summary>
internal sealed class InstallReportDocument
{
    public required string BoardId { get; init; }

    public required string DeviceId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? FromRelease { get; init; }

    public required string ToRelease { get; init; }

    public required string Outcome { get; init; }

    public required string Detail { get; init; }

    public required string Time { get; init; }

    // Set by the server when it stores the report; a device never sends it.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReceivedAt { get; init; }
}
