using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.Recovery.Journal;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;

namespace RecoverySim.Recovery.Tests;

/// <summary>Recovery mode end to end on a board in memory: sources, checks before writing, the A/B rule, the journal, the result.</summary>
public class RecoveryModeTests
{
    private static readonly byte[] GoldenV1 = RecoveryBench.Golden("1.0.0", 1);
    private static readonly byte[] GoldenV2 = RecoveryBench.Golden("2.0.0", 2, seed: 2);

    private static RecoveryBench Bricked()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        bench.Brick();
        return bench;
    }

    [Fact]
    public void ABrickedBoardRecoversBothSlotsAndBoots()
    {
        RecoveryBench bench = Bricked();
        string userdata = bench.UserdataHash();

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(GoldenV1)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.True(result.Recovery!.Completed);
        Assert.Equal(["a", "b"], result.Recovery.Slots);
        Assert.Equal("a", result.LastBoot.Slot);
        Assert.True(result.LastBoot.MarkedSuccessful);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
        Assert.Equal(userdata, bench.UserdataHash());
        BootControlBlock control = bench.Control();
        Assert.False(control.Recovery.IsRequested);
        Assert.Equal(0u, control.BootCount);
        using Board board = bench.Open();
        Assert.False(new RecoveryJournal(board.Partition(BoardLayout.Misc)).Peek().InProgress);

        // One timeline: the bootloader's events, recovery's, the reset, the second power-on.
        string[] kinds = result.Events.Select(e => e.Kind.Name).ToArray();
        Assert.Equal("power-on", kinds[0]);
        Assert.Contains("no-bootable-slot", kinds);
        int completed = Array.IndexOf(kinds, "recovery-completed");
        Assert.True(completed > Array.IndexOf(kinds, "golden-manifest-verified"));
        Assert.Equal("reboot", kinds[completed + 1]);
        Assert.Equal("power-on", kinds[completed + 2]);
        // No slot could boot: both slots are written at once from one read of the image, no copy phase.
        BootEvent[] installed = result.Events.Where(e => e.Kind == RecoveryEventKinds.PartitionInstalled).ToArray();
        Assert.Equal(3, installed.Length);
        Assert.All(installed, e => Assert.Matches("^(boot|system|vendor)_a and \\1_b written", e.Message));
    }

    [Fact]
    public void ASingleSlotBoardRecovers()
    {
        var bench = new RecoveryBench(BoardProfile.Single);
        bench.Flash(GoldenV1);
        bench.Brick();

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(GoldenV1)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(["a"], result.Recovery!.Slots);
        Assert.Equal(["rel-1.0.0"], bench.SlotReleases());
    }

    [Fact]
    public void AHealthyBoardBootsWithoutTouchingAnySource()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        var source = new CountingSource(RecoveryBench.Source(GoldenV1));

        PowerOnResult result = bench.PowerOn([source]);

        Assert.Equal(BootOutcome.Booted, result.Outcome);
        Assert.Null(result.Recovery);
        Assert.Equal(0, source.Opens);
    }

    [Fact]
    public void EverySourceFailingLeavesTheBoardByteForByteAsItWas()
    {
        RecoveryBench bench = Bricked();
        bench.PowerOn([]); // the bootloader marks both slots unbootable once; from here nothing may change
        string disk = RecoveryBench.Hash(bench.Disk), rpmb = RecoveryBench.Hash(bench.Rpmb);
        byte[] tooLarge = RecoveryBench.Golden("9.0.0", 9, systemBytes: 4 << 20);
        byte[] truncated = GoldenV2[..(GoldenV2.Length / 2)];
        byte[] flipped = (byte[])GoldenV2.Clone();
        flipped[flipped.Length / 2] ^= 0x10;

        PowerOnResult result = bench.PowerOn(
        [
            new FileImageSource("/no/such/golden.rsim"),
            RecoveryBench.Source(RecoveryBench.Golden("2.0.0", 2, boardId: "another-board"), "file other-board"),
            RecoveryBench.Source(RecoveryBench.Golden("0.9.0", 0, key: RecoveryBench.StrangerKey), "file stranger"),
            RecoveryBench.Source(truncated, "file truncated"),
            RecoveryBench.Source(flipped, "file flipped"),
            RecoveryBench.Source(tooLarge, "file too-large"),
            new UsbImageSource("usb blank", () => new MemoryBlockDevice(2048)),
        ]);

        Assert.Equal(BootOutcome.Bricked, result.Outcome);
        Assert.Equal(7, result.Recovery!.Failures.Count);
        Assert.Equal(disk, RecoveryBench.Hash(bench.Disk));
        Assert.Equal(rpmb, RecoveryBench.Hash(bench.Rpmb));
        string[] reasons = result.Recovery.Failures.Select(f => f.Reason).ToArray();
        Assert.Contains("no such file", reasons[0]);
        Assert.Contains("board_ids", reasons[1]);
        Assert.Contains("does not verify with any trusted key", reasons[2]);
        Assert.Contains("truncated", reasons[3]);
        Assert.Contains("SHA-256", reasons[4]);
        Assert.Contains("holds", reasons[5]);
        Assert.DoesNotContain(result.Events, e => e.Kind == RecoveryEventKinds.PartitionInstalling);
    }

    [Fact]
    public void AnImageBelowTheStoredRollbackIndexIsRefusedAndTheNextSourceUsed()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV2);
        Assert.Equal(BootOutcome.Booted, bench.PowerOn([]).Outcome); // rollback indexes rise to 2
        bench.Brick();

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(GoldenV1, "file old"), RecoveryBench.Source(GoldenV2, "file current")]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal("file current", result.Recovery!.Source);
        SourceFailure failure = Assert.Single(result.Recovery.Failures);
        Assert.Equal("file old", failure.Source);
        Assert.Contains("rollback_index is 1, below the board's minimum 2", failure.Reason);
    }

    [Fact]
    public void AUserRequestedRecoveryInstallsIntoTheInactiveSlotFirst()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        Assert.Equal("a", bench.PowerOn([]).LastBoot.Slot);
        using (Board board = bench.Open())
        {
            board.Control.Read();
            board.Control.Write(AbRules.RequestRecovery(board.Control.Current, RecoveryReason.UserRequested, RecoverySource.Any));
        }

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(GoldenV2)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        BootEvent first = result.Events.First(e => e.Kind == RecoveryEventKinds.PartitionInstalling);
        Assert.Equal("boot_b", first.Partition);
        Assert.Equal("b", result.LastBoot.Slot);
        Assert.Equal(["rel-2.0.0", "rel-2.0.0"], bench.SlotReleases());
    }

    [Fact]
    public void TheRequestedSourceNarrowsTheOrder()
    {
        RecoveryBench bench = Bricked();
        Assert.Equal(BootOutcome.Bricked, bench.PowerOn([]).Outcome); // both slots now marked unbootable
        using (Board board = bench.Open())
        {
            board.Control.Read();
            board.Control.Write(AbRules.RequestRecovery(board.Control.Current, RecoveryReason.UserRequested, RecoverySource.Usb));
        }

        var file = new CountingSource(RecoveryBench.Source(GoldenV1));
        PowerOnResult result = bench.PowerOn([file]);

        Assert.Equal(BootOutcome.Bricked, result.Outcome);
        Assert.Equal(0, file.Opens);
        Assert.Contains("asks for source usb", Assert.Single(result.Recovery!.Failures).Reason);
    }

    [Fact]
    public void ABadSectorInSlotAEndsWithTheGoldenReleaseInSlotB()
    {
        RecoveryBench bench = Bricked();
        var disk = new FaultyBlockDevice(bench.Disk, seed: 5, leaveOpen: true);
        using (Board board = bench.Open())
        {
            var entry = board.PartitionEntry("system_a");
            disk.AddBadSectors(entry.FirstLba + 2048, 1); // 1 MiB into system_a
        }

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(GoldenV1)], disk);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(["b"], result.Recovery!.Slots);
        Assert.Equal("b", result.LastBoot.Slot);
        Assert.Contains(result.Events, e => e.Kind == RecoveryEventKinds.SlotFailed && e.Slot == "a");
        Assert.Equal([null, "rel-1.0.0"], bench.SlotReleases(disk));
    }

    [Fact]
    public void AFailingRecoveryOfAUserRequestBootsTheSlotThatStillWorks()
    {
        var bench = new RecoveryBench();
        bench.Flash(GoldenV1);
        using (Board board = bench.Open())
        {
            board.Control.Read();
            board.Control.Write(AbRules.RequestRecovery(board.Control.Current, RecoveryReason.UserRequested, RecoverySource.Any));
        }

        PowerOnResult result = bench.PowerOn([new FileImageSource("/no/such/golden.rsim")]);

        Assert.Equal(BootOutcome.Booted, result.Outcome);
        Assert.False(result.Recovery!.Completed);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
        Assert.False(bench.Control().Recovery.IsRequested);
    }

    [Fact]
    public void ACompressedGoldenImageRecoversToo()
    {
        RecoveryBench bench = Bricked();
        byte[] zstd = RecoveryBench.Golden("1.0.0", 1, compression: PartitionCompression.Zstd);

        PowerOnResult result = bench.PowerOn([RecoveryBench.Source(zstd)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
    }

    /// <summary>Counts how often recovery opens a source.</summary>
    private sealed class CountingSource(GoldenImageSource inner) : GoldenImageSource
    {
        public int Opens { get; private set; }

        public override RecoverySource Kind => inner.Kind;

        public override string Description => inner.Description;

        public override Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel)
        {
            Opens++;
            return inner.OpenAsync(maxBytes, cancel);
        }
    }
}
