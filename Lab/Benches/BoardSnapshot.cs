using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.Recovery;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Recovery.Journal;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// What the dashboard shows of one board (docs/WEB.md "Board"): its profile, slots, slot
/// partitions, rollback indexes, boot counter, recovery request and journal, read without
/// writing a byte; with the bench's live state beside it (power, the action running, the last
/// power-on with its timeline).
/// </summary>
public sealed record BoardSnapshot
{
    /// <summary>The board's name on the bench (its directory name).</summary>
    public required string Name { get; init; }

    /// <summary>board.json's board id.</summary>
    public required string BoardId { get; init; }

    /// <summary><c>ab</c> or <c>single</c>.</summary>
    public required string Profile { get; init; }

    /// <summary>The slots, or empty when no copy of the boot control block is valid.</summary>
    public required IReadOnlyList<SlotSnapshot> Slots { get; init; }

    /// <summary>Every slot partition, in disk order.</summary>
    public required IReadOnlyList<PartitionSnapshot> Partitions { get; init; }

    /// <summary>The stored rollback indexes of boot, system and vendor; null when rpmb.bin holds no valid copy.</summary>
    public required IReadOnlyList<ulong>? RollbackIndexes { get; init; }

    /// <summary>Power-ons since a slot last reached the OS (U-Boot's bootcount).</summary>
    public required int BootCount { get; init; }

    /// <summary>The recovery request in the boot control block, kebab-case; null when none.</summary>
    public required string? RecoveryRequest { get; init; }

    /// <summary>The recovery journal's phase, kebab-case (<c>idle</c> when no recovery is in progress).</summary>
    public required string JournalPhase { get; init; }

    /// <summary>Every partition name of the board's profile (what a corrupt action may name).</summary>
    public required IReadOnlyList<string> PartitionNames { get; init; }

    /// <summary><c>off</c>, <c>running</c> (the OS is up) or <c>booting</c> (a power-on is in progress).</summary>
    public string Power { get; init; } = "off";

    /// <summary>The action running on the board, or null.</summary>
    public string? Busy { get; init; }

    /// <summary>The last power-on on this bench (outcome and timeline), or null when none has run since the bench was opened.</summary>
    public PowerOnResult? LastPowerOn { get; init; }

    /// <summary>Why the last power-on ended early (a power cut), or null.</summary>
    public string? LastPowerOnInterrupted { get; init; }

    /// <summary>The last action's one-line result.</summary>
    public string? LastAction { get; init; }

    /// <summary>The update agent's policy in board.json (the device settings).</summary>
    public UpdatePolicy Policy { get; init; } = UpdatePolicy.Default;

    /// <summary>The simulated network link in board.json.</summary>
    public NetworkType Network { get; init; } = NetworkType.Wifi;

    /// <summary>The update agent's state (<c>update-state.json</c>); null when it cannot be read (see <see cref="UpdateStateError"/>).</summary>
    public UpdateState? UpdateState { get; init; }

    /// <summary>Why <c>update-state.json</c> cannot be read, or null.</summary>
    public string? UpdateStateError { get; init; }

    /// <summary>Reads the board state of <paramref name="board"/>; nothing is written (damaged copies are reported, not repaired).</summary>
    public static BoardSnapshot Read(string name, Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        BoardInspection inspection = BoardInspection.Read(board);
        var partitions = new List<PartitionSnapshot>();
        foreach (InspectedPartition p in inspection.Partitions)
        {
            if (p.Verification is PartitionVerification v)
            {
                partitions.Add(new PartitionSnapshot(p.Name, v.Verified, v.Verified ? null : BootOutcomeNames.Kebab(v.Failure), v.Release, v.Version, v.RollbackIndex));
            }
        }

        var slots = new List<SlotSnapshot>();
        foreach (InspectedSlot slot in inspection.Slots)
        {
            SlotState state = slot.State;
            string boot = BoardLayout.PartitionName(board.Config.Profile, "boot", slot.Slot);
            PartitionSnapshot? header = partitions.FirstOrDefault(p => p.Name == boot);
            slots.Add(new SlotSnapshot(SlotNames.Name(slot.Slot), state.Priority, state.TriesRemaining, state.Successful, state.IsBootable,
                state.Unbootable == UnbootableReason.None ? null : BootOutcomeNames.Kebab(state.Unbootable), slot.SignedRelease, header?.Version));
        }

        RollbackIndexes? stored = inspection.RollbackIndexes;
        BootControlRead control = inspection.Control;
        RecoveryJournalRecord journal = inspection.Journal;
        UpdateState? update = null;
        string? updateError = null;
        if (board.Directory is { } directory)
        {
            try
            {
                update = new UpdateStateFile(directory).Load();
            }
            catch (Exception e) when (e is ImageException or IOException or UnauthorizedAccessException)
            {
                updateError = e.Message;
            }
        }

        return new BoardSnapshot
        {
            Policy = board.Config.Update,
            Network = board.Config.Network,
            UpdateState = update,
            UpdateStateError = updateError,
            Name = name,
            BoardId = board.Config.BoardId,
            Profile = BoardLayout.ProfileName(board.Config.Profile),
            Slots = slots,
            Partitions = partitions,
            RollbackIndexes = stored is null ? null : [stored[0], stored[1], stored[2]],
            BootCount = (int)(control.Block?.BootCount ?? 0),
            RecoveryRequest = control.Block is { Recovery.IsRequested: true } b ? BootOutcomeNames.Kebab(b.Recovery.Reason) : null,
            JournalPhase = BootOutcomeNames.Kebab(journal.Phase),
            PartitionNames = board.PartitionNames,
        };
    }

    /// <summary>Writes the snapshot as one JSON object (docs/WEB.md "Board").</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("board_id", BoardId);
        w.WriteString("profile", Profile);
        w.WriteString("power", Power);
        w.WriteString("busy", Busy);
        w.WriteStartArray("slots");
        foreach (SlotSnapshot s in Slots)
        {
            w.WriteStartObject();
            w.WriteString("slot", s.Slot);
            w.WriteNumber("priority", s.Priority);
            w.WriteNumber("tries_remaining", s.TriesRemaining);
            w.WriteBoolean("successful", s.Successful);
            w.WriteBoolean("bootable", s.Bootable);
            w.WriteString("unbootable_reason", s.UnbootableReason);
            w.WriteString("release", s.Release);
            w.WriteString("version", s.Version);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("partitions");
        foreach (PartitionSnapshot p in Partitions)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteBoolean("verified", p.Verified);
            w.WriteString("failure", p.Failure);
            w.WriteString("release", p.Release);
            w.WriteString("version", p.Version);
            if (p.RollbackIndex is ulong index)
            {
                w.WriteNumber("rollback_index", index);
            }
            else
            {
                w.WriteNull("rollback_index");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("partition_names");
        w.WriteStartArray();
        foreach (string name in PartitionNames)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        if (RollbackIndexes is { } indexes)
        {
            w.WriteStartObject("rollback_indexes");
            w.WriteNumber("boot", indexes[0]);
            w.WriteNumber("system", indexes[1]);
            w.WriteNumber("vendor", indexes[2]);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("rollback_indexes");
        }

        w.WriteNumber("boot_count", BootCount);
        w.WriteString("recovery_request", RecoveryRequest);
        w.WriteString("journal_phase", JournalPhase);
        w.WriteString("last_action", LastAction);
        w.WriteString("last_power_on_interrupted", LastPowerOnInterrupted);
        w.WriteStartObject("settings");
        w.WriteBoolean("wifi_only", Policy.WifiOnly);
        w.WriteString("maintenance_window", Policy.MaintenanceWindow?.ToString());
        w.WriteBoolean("require_approval", Policy.RequireApproval);
        w.WriteString("network", NetworkTypeNames.Name(Network));
        w.WriteString("server", Policy.Server);
        w.WriteString("channel", Policy.Channel);
        w.WriteEndObject();
        w.WriteStartObject("update");
        w.WriteString("status", UpdateState is { } u ? UpdateStatusNames.Name(u.Status) : null);
        w.WriteString("detail", UpdateState?.Detail);
        w.WriteString("error", UpdateStateError);
        w.WriteString("last_check", UpdateState?.LastCheck is { } last ? UtcTimestamp.Format(last) : null);
        if (UpdateState?.Offered is { } offered)
        {
            w.WriteStartObject("offered");
            w.WriteString("release", offered.ReleaseId);
            w.WriteString("version", offered.Version);
            w.WriteString("kind", UpdatePackageKindNames.Name(offered.Kind));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("offered");
        }

        w.WriteString("approved_release", UpdateState?.ApprovedRelease);
        w.WriteEndObject();
        w.WritePropertyName("last_power_on");
        if (LastPowerOn is { } result)
        {
            result.WriteJson(w);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteEndObject();
    }
}
