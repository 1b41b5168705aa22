using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Recovery.Journal;

namespace RecoverySim.Recovery;

/// <summary>
/// What a board's own storage says of its state, read without writing a byte, so a damaged copy
/// is reported, not repaired: every partition with, for the slot partitions, the header and its
/// full verification against the stored rollback index; the boot control block as read (both
/// copies' validity); each slot's state and the signed release it holds; the recovery journal;
/// the rollback indexes in RPMB. One reading for <c>recoverysim board inspect</c> and the bench
/// dashboard's board view, which only print it their own way.
/// </summary>
/// <param name="Partitions">Every partition of the profile, in disk order.</param>
/// <param name="Control">The boot control block as read (null block when neither copy is valid).</param>
/// <param name="Slots">The slots, in the profile's order; empty when no copy of the boot control block is valid.</param>
/// <param name="Journal">The recovery journal in misc.</param>
/// <param name="RollbackIndexes">The stored rollback indexes; null when RPMB holds no valid copy.</param>
/// <param name="RollbackCopies">How many RPMB copies are valid.</param>
public sealed record BoardInspection(
    IReadOnlyList<InspectedPartition> Partitions,
    BootControlRead Control,
    IReadOnlyList<InspectedSlot> Slots,
    RecoveryJournalRecord Journal,
    RollbackIndexes? RollbackIndexes,
    int RollbackCopies)
{
    /// <summary>Reads <paramref name="board"/> (opened read-only or not: nothing is written either way).</summary>
    public static BoardInspection Read(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        RollbackIndexes? stored = board.Rpmb.Peek(out int copies);
        BootControlRead control = board.Control.Peek();
        BoardPartitionVerifier verifier = board.Verifier();
        var partitions = new List<InspectedPartition>();
        foreach (string name in board.PartitionNames)
        {
            string kind = BoardLayout.KindOf(name);
            PartitionHeader? header = null;
            PartitionVerification? verification = null;
            if (BoardLayout.SlotPartitionKinds.Contains(kind))
            {
                byte[] bytes = new byte[PartitionHeader.Size];
                board.Partition(name).Read(0, bytes);
                header = PartitionHeader.TryParse(bytes, out PartitionHeader parsed) ? parsed : null;
                verification = verifier.Verify(name, stored?[BoardLayout.RollbackLocation(kind)] ?? 0);
            }

            partitions.Add(new InspectedPartition(name, board.PartitionEntry(name), header, verification));
        }

        var slots = new List<InspectedSlot>();
        if (control.Block is BootControlBlock block)
        {
            foreach (Slot slot in BoardLayout.Slots(board.Config.Profile))
            {
                slots.Add(new InspectedSlot(slot, block[slot], verifier.SignedRelease(slot)));
            }
        }

        RecoveryJournalRecord journal = new RecoveryJournal(board.Partition(BoardLayout.Misc)).Peek();
        return new BoardInspection(partitions, control, slots, journal, stored, copies);
    }
}

/// <summary>One partition as <see cref="BoardInspection"/> read it.</summary>
/// <param name="Name">Its GPT name.</param>
/// <param name="Entry">Its GPT entry.</param>
/// <param name="Header">For a slot partition, its header when one parses; null otherwise.</param>
/// <param name="Verification">For a slot partition, its full verification; null for the others (misc, userdata).</param>
public sealed record InspectedPartition(string Name, GptPartitionEntry Entry, PartitionHeader? Header, PartitionVerification? Verification);

/// <summary>One slot as <see cref="BoardInspection"/> read it.</summary>
/// <param name="Slot">Which slot.</param>
/// <param name="State">Its state in the boot control block.</param>
/// <param name="SignedRelease">The release every partition of the slot carries in a header that verifies; null when they do not agree or one does not verify.</param>
public sealed record InspectedSlot(Slot Slot, SlotState State, string? SignedRelease);
