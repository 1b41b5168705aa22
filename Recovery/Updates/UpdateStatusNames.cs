namespace RecoverySim.Recovery.Updates;

/// <summary>The kebab-case names of <see cref="UpdateStatus"/>, as <c>update-state.json</c>, the command line and the web page show them.</summary>
public static class UpdateStatusNames
{
    /// <summary>Every status with its name.</summary>
    public static IReadOnlyList<(string Name, UpdateStatus Value)> All { get; } =
    [
        ("idle", UpdateStatus.Idle), ("up-to-date", UpdateStatus.UpToDate), ("offline", UpdateStatus.Offline),
        ("waiting-for-wifi", UpdateStatus.WaitingForWifi), ("pending-approval", UpdateStatus.PendingApproval),
        ("waiting-for-window", UpdateStatus.WaitingForWindow), ("installed", UpdateStatus.Installed), ("rolled-back", UpdateStatus.RolledBack),
        ("failed", UpdateStatus.Failed), ("refused", UpdateStatus.Refused),
    ];

    /// <summary>The name of <paramref name="status"/>.</summary>
    public static string Name(UpdateStatus status) =>
        All.FirstOrDefault(n => n.Value == status).Name ?? throw new ArgumentOutOfRangeException(nameof(status), status, "not an update status");

    /// <summary>True for a status the command line ends with a failure exit code: the update did not happen, or was undone.</summary>
    public static bool IsFailure(UpdateStatus status) => status is UpdateStatus.RolledBack or UpdateStatus.Failed or UpdateStatus.Refused;
}
