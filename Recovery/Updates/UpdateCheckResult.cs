using RecoverySim.Bootloader.Boot;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>What one check of the update agent did.</summary>
/// <param name="Status">Where the agent stands now.</param>
/// <param name="Detail">One line saying why.</param>
/// <param name="Reason">For a refusal, the check that failed (kebab-case: <c>rollback</c>, <c>freeze</c>, <c>bad-signature</c>, ...); else null.</param>
/// <param name="Package">The package offered, or null.</param>
/// <param name="Download">The download, when one ran.</param>
/// <param name="Install">The install, when one ran.</param>
/// <param name="NextCheck">When the next check is due (the poll interval, or the opening of the maintenance window).</param>
/// <param name="Events">The check's events, in order.</param>
public sealed record UpdateCheckResult(UpdateStatus Status, string Detail, string? Reason, UpdatePackage? Package, DownloadResult? Download,
    SlotUpdateResult? Install, DateTimeOffset NextCheck, IReadOnlyList<BootEvent> Events);
