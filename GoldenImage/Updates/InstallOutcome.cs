namespace RecoverySim.GoldenImage.Updates;

/// <summary>How an update attempt ended, as a device reports it (the <c>outcome</c> field of an install report).</summary>
public enum InstallOutcome
{
    /// <summary><c>installed</c>: the new release booted, passed its health check and was marked successful.</summary>
    Installed = 1,

    /// <summary><c>rolled_back</c>: the new release was installed but did not come up healthy; the board is back on the previous one.</summary>
    RolledBack = 2,

    /// <summary><c>failed</c>: the download or the install failed; the running release was never left.</summary>
    Failed = 3,

    /// <summary><c>refused</c>: the index or the package failed a check (signature, expiry, board, rollback, size, hash); nothing was installed.</summary>
    Refused = 4,
}
