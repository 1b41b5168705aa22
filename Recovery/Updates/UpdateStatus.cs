namespace RecoverySim.Recovery.Updates;

/// <summary>Where the update agent stands after its last check (the <c>status</c> of <c>update-state.json</c>; names in <see cref="UpdateStatusNames"/>).</summary>
public enum UpdateStatus
{
    /// <summary><c>idle</c>: never checked.</summary>
    Idle = 1,

    /// <summary><c>up-to-date</c>: the board runs the latest release offered.</summary>
    UpToDate,

    /// <summary><c>offline</c>: the board has no network link.</summary>
    Offline,

    /// <summary><c>waiting-for-wifi</c>: an update is offered, the board downloads only over Wi-Fi, and the link is metered.</summary>
    WaitingForWifi,

    /// <summary><c>pending-approval</c>: an update is offered and waits for the user's approval.</summary>
    PendingApproval,

    /// <summary><c>waiting-for-window</c>: the update is downloaded and verified, and installs in the next maintenance window.</summary>
    WaitingForWindow,

    /// <summary><c>installed</c>: the new release booted, passed its health check and was marked successful.</summary>
    Installed,

    /// <summary><c>rolled-back</c>: the new release did not come up healthy; the board is back on the previous one.</summary>
    RolledBack,

    /// <summary><c>failed</c>: the check or the download failed for a reason that may pass; the next check retries (a download resumes).</summary>
    Failed,

    /// <summary><c>refused</c>: the index or the package failed a check; nothing was installed.</summary>
    Refused,
}
