using System.Text.Json.Serialization;

namespace RecoverySim.Recovery.Updates;

/// <summary><c>attempt</c>: an install not yet reported.</summary>
internal sealed class AttemptDocument
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? FromRelease { get; init; }

    public required string ToRelease { get; init; }

    public required string Slot { get; init; }

    public required bool Activated { get; init; }
}
