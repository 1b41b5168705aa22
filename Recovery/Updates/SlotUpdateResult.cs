namespace RecoverySim.Recovery.Updates;

/// <summary>What an A/B install did.</summary>
/// <param name="Slot">The slot written and made active.</param>
/// <param name="Backup">The slot that was running and stays as the fallback.</param>
/// <param name="Release">The installed release id.</param>
/// <param name="Version">Its version string.</param>
/// <param name="RollbackIndex">Its rollback index (raised in RPMB only once the OS marks the slot successful).</param>
public sealed record SlotUpdateResult(string Slot, string Backup, string Release, string Version, ulong RollbackIndex);
