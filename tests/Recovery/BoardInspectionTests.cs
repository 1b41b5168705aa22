using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Recovery.Journal;
using RecoverySim.Recovery.Tests.Fixtures;

namespace RecoverySim.Recovery.Tests;

/// <summary>
/// <see cref="BoardInspection"/>, the one reading of a board's state behind <c>board inspect</c>
/// and the dashboard: what it reports of a good board and of damaged parts, and that it writes
/// nothing, not even the repair a boot would make.
/// </summary>
public sealed class BoardInspectionTests
{
    private static readonly byte[] GoldenV1 = RecoveryBench.Golden("1.0.0", 1);

    [Fact]
    public void A_flashed_board_reads_as_verified_slots_holding_the_release()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        using Board board = bench.Open();

        BoardInspection inspection = BoardInspection.Read(board);

        Assert.Equal(board.PartitionNames, inspection.Partitions.Select(p => p.Name));
        InspectedPartition[] slotPartitions = [.. inspection.Partitions.Where(p => p.Verification is not null)];
        Assert.Equal(6, slotPartitions.Length); // boot, system, vendor in each of a and b
        Assert.All(slotPartitions, p =>
        {
            Assert.True(p.Verification!.Verified, p.Verification.Detail);
            Assert.Equal("rel-1.0.0", p.Header!.Value.ReleaseId);
        });
        Assert.Null(inspection.Partitions.Single(p => p.Name == "userdata").Header);
        Assert.Equal(["a", "b"], inspection.Slots.Select(s => SlotNames.Name(s.Slot)));
        Assert.All(inspection.Slots, s => Assert.Equal("rel-1.0.0", s.SignedRelease));
        Assert.True(inspection.Control.Copy0Valid && inspection.Control.Copy1Valid);
        Assert.False(inspection.Journal.InProgress);
        Assert.NotNull(inspection.RollbackIndexes);
        Assert.Equal(2, inspection.RollbackCopies);
    }

    [Fact]
    public void Damage_is_reported_where_it_is_and_nothing_is_written()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        using (Board writable = bench.Open())
        {
            // A payload byte of system_b, and the first copy of the boot control block.
            IBlockDevice system = writable.Partition("system_b");
            byte[] sector = new byte[system.SectorSize];
            system.Read(1024, sector);
            sector[17] ^= 0x40;
            system.Write(1024, sector);
            writable.Partition(BoardLayout.Misc).Write(MiscLayout.BootControlCopy0Offset / 512, new byte[512]);
        }

        string disk = RecoveryBench.Hash(bench.Disk);
        string rpmb = RecoveryBench.Hash(bench.Rpmb);
        using Board board = bench.Open();

        BoardInspection inspection = BoardInspection.Read(board);

        InspectedPartition damaged = inspection.Partitions.Single(p => p.Name == "system_b");
        Assert.False(damaged.Verification!.Verified);
        Assert.Equal(UnbootableReason.PayloadHashMismatch, damaged.Verification.Failure);
        Assert.NotNull(damaged.Header); // the header itself is intact
        Assert.All(inspection.Partitions.Where(p => p.Verification is not null && p.Name != "system_b"), p => Assert.True(p.Verification!.Verified));
        Assert.Equal("rel-1.0.0", inspection.Slots.Single(s => s.Slot == Slot.A).SignedRelease);
        Assert.Equal("rel-1.0.0", inspection.Slots.Single(s => s.Slot == Slot.B).SignedRelease); // headers verify; the payload is the hash's business
        Assert.False(inspection.Control.Copy0Valid);
        Assert.True(inspection.Control.Copy1Valid);
        Assert.Equal(disk, RecoveryBench.Hash(bench.Disk)); // the bad copy is reported, not repaired
        Assert.Equal(rpmb, RecoveryBench.Hash(bench.Rpmb));
    }

    [Fact]
    public void A_board_without_a_valid_boot_control_copy_has_no_slots_to_show()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        using (Board writable = bench.Open())
        {
            IBlockDevice misc = writable.Partition(BoardLayout.Misc);
            misc.Write(MiscLayout.BootControlCopy0Offset / 512, new byte[512]);
            misc.Write(MiscLayout.BootControlCopy1Offset / 512, new byte[512]);
        }

        using Board board = bench.Open();
        BoardInspection inspection = BoardInspection.Read(board);

        Assert.Null(inspection.Control.Block);
        Assert.Empty(inspection.Slots);
        Assert.Equal(RecoveryPhase.Idle, inspection.Journal.Phase);
    }
}
