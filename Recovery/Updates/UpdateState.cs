using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// What the update agent remembers between checks (<c>update-state.json</c>, docs/FORMAT.md
/// "Update agent state"): the last index sequence accepted (a replayed older index is refused),
/// the status page's status and detail, the release on offer, the user's approval, an install not
/// yet reported, and reports the server has not taken yet.
/// </summary>
public sealed record UpdateState
{
    /// <summary>Most reports kept for a server that does not take them; the oldest go first.</summary>
    public const int MaxUnsentReports = 16;

    /// <summary>A board that never checked.</summary>
    public static UpdateState Initial { get; } = new();

    /// <summary>The sequence of the last index accepted; 0 for none.</summary>
    public long LastSequence { get; init; }

    /// <summary>The status after the last check.</summary>
    public UpdateStatus Status { get; init; } = UpdateStatus.Idle;

    /// <summary>One line on the status (the reason of a refusal, what a deferral waits for).</summary>
    public string Detail { get; init; } = "";

    /// <summary>When the last check ran; null before the first.</summary>
    public DateTimeOffset? LastCheck { get; init; }

    /// <summary>The package the last index offered this board, or null when it is up to date.</summary>
    public UpdatePackage? Offered { get; init; }

    /// <summary>The release the user approved, or null.</summary>
    public string? ApprovedRelease { get; init; }

    /// <summary>An install not yet reported, or null.</summary>
    public UpdateAttempt? Attempt { get; init; }

    /// <summary>Reports to send at the next check.</summary>
    public IReadOnlyList<InstallReport> UnsentReports { get; init; } = [];

    /// <summary>Field equality, the lists by element.</summary>
    public bool Equals(UpdateState? other) =>
        other is not null && LastSequence == other.LastSequence && Status == other.Status && Detail == other.Detail && LastCheck == other.LastCheck
        && Offered == other.Offered && ApprovedRelease == other.ApprovedRelease && Attempt == other.Attempt
        && UnsentReports.SequenceEqual(other.UnsentReports);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(LastSequence, Status, Detail);
}
