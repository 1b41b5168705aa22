using System.Text.Json.Serialization;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary><c>update-state.json</c> as the file holds it; <see cref="UpdateState"/> is the checked value.</summary>
internal sealed class UpdateStateDocument
{
    public required string Format { get; init; }

    public required int Version { get; init; }

    public required long LastSequence { get; init; }

    public required string Status { get; init; }

    public required string Detail { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? LastCheck { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required UpdatePackageDocument? Offered { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? ApprovedRelease { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required AttemptDocument? Attempt { get; init; }

    /// <summary>Each report as the one-line JSON the server takes.</summary>
    public required List<string> UnsentReports { get; init; }
}
