namespace RecoverySim.Lab.Benches;

/// <summary>One slot of a board as the boot control block and its partitions show it.</summary>
/// <param name="Slot"><c>a</c> or <c>b</c> (<c>a</c> alone on a single-slot board).</param>
/// <param name="Priority">0 (never chosen) to 15.</param>
/// <param name="TriesRemaining">Tries left before the slot is given up (while not successful).</param>
/// <param name="Successful">The OS marked the slot healthy.</param>
/// <param name="Bootable">The bootloader may choose it.</param>
/// <param name="UnbootableReason">Why it was marked unbootable, kebab-case; null when it is not.</param>
/// <param name="Release">The release id every partition of the slot carries in a verifying header, or null.</param>
/// <param name="Version">The version string of the slot's boot partition header, or null.</param>
public sealed record SlotSnapshot(string Slot, int Priority, int TriesRemaining, bool Successful, bool Bootable, string? UnbootableReason, string? Release, string? Version);
