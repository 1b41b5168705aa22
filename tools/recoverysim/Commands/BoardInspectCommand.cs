using System.CommandLine;
using System.Text;
using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Journal;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim board inspect DIR [--json]</c>: partitions, headers and their verification,
/// slot states, boot counter, recovery request and rollback indexes. Read-only: opens the board
/// files without write access, so even a damaged copy is reported, not repaired.
/// </summary>
public static class BoardInspectCommand
{
    /// <summary>Builds the <c>board inspect</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("inspect", "Show partitions, their headers and whether they verify, slot states, boot counter, recovery request and rollback indexes (nothing is written).");
        var dir = new Argument<string>("DIR") { Description = "The board directory." };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        command.Arguments.Add(dir);
        command.Options.Add(json);
        CliAction.Set(command, context, parse =>
        {
            using Board board = Board.Open(parse.GetValue(dir)!, writable: false);
            string text = parse.GetValue(json) ? Json(board) : Text(board);
            context.Output.WriteLine(text);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Text(Board board)
    {
        var s = new StringBuilder();
        BoardInspection inspection = BoardInspection.Read(board);
        RollbackIndexes? stored = inspection.RollbackIndexes;
        BootControlRead control = inspection.Control;
        s.AppendLine($"board {board.Config.BoardId}, profile {BoardLayout.ProfileName(board.Config.Profile)}, disk {board.Disk.SectorCount * board.Disk.SectorSize} bytes, GPT {(board.Gpt.IsHealthy ? "healthy" : $"damaged ({string.Join("; ", board.Gpt.Problems)}), read from the {board.Gpt.UsedCopy} copy")}");
        s.AppendLine("partitions:");
        foreach (InspectedPartition p in inspection.Partitions)
        {
            string detail = p.Verification is null ? ""
                : p.Header is PartitionHeader h
                    ? $"  release {h.ReleaseId}, version {h.Version}, rollback {h.RollbackIndex}, payload {h.PayloadLength} bytes: {(p.Verification.Verified ? "verified" : BootOutcomeNames.Kebab(p.Verification.Failure) + " (" + p.Verification.Detail + ")")}"
                    : $"  no valid header: {BootOutcomeNames.Kebab(p.Verification.Failure)}";
            s.AppendLine($"  {p.Name,-10} sectors {p.Entry.FirstLba,8}-{p.Entry.LastLba,-8} {p.Entry.SectorCount * board.Disk.SectorSize,12} bytes{detail}");
        }

        if (control.Block is BootControlBlock b)
        {
            s.AppendLine($"boot control: sequence {b.Sequence}, copies valid: {(control.Copy0Valid ? "0 " : "")}{(control.Copy1Valid ? "1" : "")}, boot counter {b.BootCount} of {board.Config.Limits.MaxBootsBeforeRecovery}, recovery request {(b.Recovery.IsRequested ? $"{BootOutcomeNames.Kebab(b.Recovery.Reason)} via {BootOutcomeNames.Kebab(b.Recovery.Source)}" : "none")}");
            foreach (InspectedSlot slot in inspection.Slots)
            {
                SlotState st = slot.State;
                s.AppendLine($"  slot {SlotNames.Name(slot.Slot)}: priority {st.Priority}, tries {st.TriesRemaining}, {(st.Successful ? "successful" : "not successful")}, {(st.Unbootable == UnbootableReason.None ? (st.IsBootable ? "bootable" : "not bootable") : "unbootable: " + BootOutcomeNames.Kebab(st.Unbootable))}");
            }
        }
        else
        {
            s.AppendLine("boot control: no valid copy (the next boot resets it to the factory state)");
        }

        RecoveryJournalRecord journal = inspection.Journal;
        s.AppendLine(journal.InProgress
            ? $"recovery journal: {BootOutcomeNames.Kebab(journal.Phase)} release {journal.ReleaseId} (version {journal.Version}) from {BootOutcomeNames.Kebab(journal.Source)}, slot {SlotNames.Name(journal.InstallSlot)}{(journal.BothSlots ? " and " + SlotNames.Name(SlotNames.Other(journal.InstallSlot)) : "")}, partition {journal.PartitionIndex}, {journal.DurableBytes} payload bytes durable (the next power-on resumes)"
            : "recovery journal: idle");
        s.Append(stored is null
            ? "rollback indexes: rpmb.bin holds no valid copy"
            : $"rollback indexes ({inspection.RollbackCopies} valid copies): boot {stored[0]}, system {stored[1]}, vendor {stored[2]}");
        return s.ToString();
    }

    private static string Json(Board board)
    {
        BoardInspection inspection = BoardInspection.Read(board);
        RollbackIndexes? stored = inspection.RollbackIndexes;
        BootControlRead control = inspection.Control;
        return StrictJson.WriteString(w =>
        {
            w.WriteStartObject();
            w.WriteString("board_id", board.Config.BoardId);
            w.WriteString("profile", BoardLayout.ProfileName(board.Config.Profile));
            w.WriteNumber("disk_bytes", board.Disk.SectorCount * board.Disk.SectorSize);
            w.WriteStartObject("gpt");
            w.WriteBoolean("healthy", board.Gpt.IsHealthy);
            w.WriteString("used_copy", board.Gpt.UsedCopy.ToString().ToLowerInvariant());
            w.WriteStartArray("problems");
            foreach (string problem in board.Gpt.Problems)
            {
                w.WriteStringValue(problem);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("partitions");
            foreach (InspectedPartition p in inspection.Partitions)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteNumber("first_lba", p.Entry.FirstLba);
                w.WriteNumber("last_lba", p.Entry.LastLba);
                w.WriteNumber("size", p.Entry.SectorCount * board.Disk.SectorSize);
                if (p.Verification is PartitionVerification v)
                {
                    if (p.Header is PartitionHeader h)
                    {
                        w.WriteStartObject("header");
                        w.WriteString("partition", h.PartitionName);
                        w.WriteString("release", h.ReleaseId);
                        w.WriteString("version", h.Version);
                        w.WriteNumber("rollback_index", h.RollbackIndex);
                        w.WriteString("board_id", h.BoardId);
                        w.WriteNumber("payload_length", h.PayloadLength);
                        w.WriteString("key_id", h.KeyId.ToString());
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteNull("header");
                    }

                    w.WriteBoolean("verified", v.Verified);
                    w.WriteString("failure", v.Verified ? null : BootOutcomeNames.Kebab(v.Failure));
                    w.WriteString("detail", v.Verified ? null : v.Detail);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (control.Block is BootControlBlock b)
            {
                w.WriteStartObject("boot_control");
                w.WriteNumber("sequence", b.Sequence);
                w.WriteBoolean("copy0_valid", control.Copy0Valid);
                w.WriteBoolean("copy1_valid", control.Copy1Valid);
                w.WriteNumber("boot_count", b.BootCount);
                w.WriteString("recovery_request", b.Recovery.IsRequested ? BootOutcomeNames.Kebab(b.Recovery.Reason) : null);
                w.WriteString("recovery_source", b.Recovery.IsRequested ? BootOutcomeNames.Kebab(b.Recovery.Source) : null);
                w.WriteStartArray("slots");
                foreach (InspectedSlot slot in inspection.Slots)
                {
                    SlotState st = slot.State;
                    w.WriteStartObject();
                    w.WriteString("slot", SlotNames.Name(slot.Slot));
                    w.WriteNumber("priority", st.Priority);
                    w.WriteNumber("tries_remaining", st.TriesRemaining);
                    w.WriteBoolean("successful", st.Successful);
                    w.WriteBoolean("bootable", st.IsBootable);
                    w.WriteString("unbootable_reason", st.Unbootable == UnbootableReason.None ? null : BootOutcomeNames.Kebab(st.Unbootable));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("boot_control");
            }

            RecoveryJournalRecord journal = inspection.Journal;
            w.WriteStartObject("recovery_journal");
            w.WriteString("phase", BootOutcomeNames.Kebab(journal.Phase));
            if (journal.InProgress)
            {
                w.WriteString("source", BootOutcomeNames.Kebab(journal.Source));
                w.WriteString("install_slot", SlotNames.Name(journal.InstallSlot));
                w.WriteBoolean("both_slots", journal.BothSlots);
                w.WriteNumber("partition_index", journal.PartitionIndex);
                w.WriteNumber("durable_bytes", journal.DurableBytes);
                w.WriteString("release", journal.ReleaseId);
                w.WriteString("version", journal.Version);
                w.WriteNumber("rollback_index", journal.RollbackIndex);
            }

            w.WriteEndObject();
            w.WriteStartObject("rollback_indexes");
            w.WriteNumber("valid_copies", inspection.RollbackCopies);
            if (stored is not null)
            {
                w.WriteNumber("boot", stored[0]);
                w.WriteNumber("system", stored[1]);
                w.WriteNumber("vendor", stored[2]);
                w.WriteStartArray("all");
                foreach (ulong value in stored)
                {
                    w.WriteNumberValue(value);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
