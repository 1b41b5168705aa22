using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Boards;

/// <summary>The partitions of each profile, in disk order, and the names of a slot's partitions.</summary>
public static class BoardLayout
{
    /// <summary>The partition holding the boot control block and the recovery journal.</summary>
    public const string Misc = "misc";

    /// <summary>The user's partition: nothing but an explicit factory reset writes it.</summary>
    public const string Userdata = "userdata";

    /// <summary>The partitions every slot holds, in verification order.</summary>
    public static IReadOnlyList<string> SlotPartitionKinds { get; } = ["boot", "system", "vendor"];

    /// <summary>Every partition of <paramref name="profile"/>, in disk order.</summary>
    public static IReadOnlyList<string> Partitions(BoardProfile profile) => profile switch
    {
        BoardProfile.Ab => [Misc, "boot_a", "boot_b", "system_a", "system_b", "vendor_a", "vendor_b", Userdata],
        BoardProfile.Single => [Misc, "boot", "system", "vendor", Userdata],
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown profile"),
    };

    /// <summary>The slots of <paramref name="profile"/>: a and b, or a alone for <c>single</c>.</summary>
    public static IReadOnlyList<Slot> Slots(BoardProfile profile) =>
        profile == BoardProfile.Ab ? [Slot.A, Slot.B] : [Slot.A];

    /// <summary>The partition of kind <paramref name="kind"/> (boot, system, vendor) in <paramref name="slot"/>.</summary>
    public static string PartitionName(BoardProfile profile, string kind, Slot slot) =>
        profile == BoardProfile.Ab ? kind + SlotNames.Suffix(slot) : kind;

    /// <summary>The partitions of <paramref name="slot"/> (boot, system, vendor), in verification order.</summary>
    public static IReadOnlyList<string> SlotPartitions(BoardProfile profile, Slot slot) =>
        SlotPartitionKinds.Select(kind => PartitionName(profile, kind, slot)).ToArray();

    /// <summary>The kind (boot, system, vendor, misc, userdata) of a partition name: the name without its slot suffix.</summary>
    public static string KindOf(string partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return partition.EndsWith("_a", StringComparison.Ordinal) || partition.EndsWith("_b", StringComparison.Ordinal)
            ? partition[..^2] : partition;
    }

    /// <summary>
    /// The RPMB rollback-index location of a slot partition kind: boot 0, system 1, vendor 2
    /// (docs/FORMAT.md "rpmb"). Each kind keeps its own counter, as AVB chained partitions do.
    /// </summary>
    public static int RollbackLocation(string kind) => kind switch
    {
        "boot" => 0,
        "system" => 1,
        "vendor" => 2,
        _ => throw new ArgumentException($"'{kind}' has no rollback index location (boot, system and vendor have)", nameof(kind)),
    };

    /// <summary>The profile name used on the command line and in board.json.</summary>
    public static string ProfileName(BoardProfile profile) => profile switch
    {
        BoardProfile.Ab => "ab",
        BoardProfile.Single => "single",
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown profile"),
    };

    /// <summary>Parses <c>ab</c> or <c>single</c>.</summary>
    public static bool TryParseProfile(string? text, out BoardProfile profile)
    {
        switch (text)
        {
            case "ab": profile = BoardProfile.Ab; return true;
            case "single": profile = BoardProfile.Single; return true;
            default: profile = default; return false;
        }
    }
}
