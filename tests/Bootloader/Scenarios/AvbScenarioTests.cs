using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Tests.Boards;

namespace RecoverySim.Bootloader.Tests.Scenarios;

/// <summary>
/// The cases of libavb's A/B flow tests (avb_ab_flow_unittest) and U-Boot's bootcount, as
/// scenarios on a real board: GPT, signed partition images, boot control block, RPMB.
/// </summary>
public class AvbScenarioTests
{
    private static IEnumerable<BootEventKind> Kinds(BootResult result) => result.Events.Select(e => e.Kind);

    private static void DamageCopy(TestBoard t, int copy)
    {
        IBlockDevice misc = t.Partition(BoardLayout.Misc);
        byte[] sector = new byte[512];
        long at = (copy == 0 ? MiscLayout.BootControlCopy0Offset : MiscLayout.BootControlCopy1Offset) / 512;
        misc.Read(at, sector);
        sector[20] ^= 0x5A; // a byte inside the CRC-covered slot fields
        misc.Write(at, sector);
    }

    [Fact]
    public void FactoryBoardBootsSlotAAndMarksItSuccessful()
    {
        using TestBoard t = new TestBoard().Factory();
        BootResult result = t.Boot();
        Assert.Equal(BootOutcome.Booted, result.Outcome);
        Assert.Equal("a", result.Slot);
        Assert.Equal("r1", result.Release);
        Assert.Equal("v-r1", result.Version);
        Assert.True(result.MarkedSuccessful);
        Assert.Equal(OsOutcome.Running, result.Os);
        Assert.Equal(3, result.Events.Count(e => e.Kind == BootEventKind.PartitionVerified));
        Assert.True(t.Control.SlotA.Successful);
        Assert.Equal(0u, t.Control.BootCount);
        Assert.Equal(1UL, t.Rollback[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void BadCrcInOneCopyIsRepairedAndTheStateKept(int copy)
    {
        using TestBoard t = new TestBoard().Factory();
        t.Boot();
        BootControlBlock before = t.Control;
        DamageCopy(t, copy);
        BootResult result = t.Boot();
        Assert.Contains(BootEventKind.BcbCopyRepaired, Kinds(result));
        Assert.DoesNotContain(BootEventKind.BcbReset, Kinds(result));
        Assert.Equal("a", result.Slot);
        Assert.True(t.Control.SlotA.Successful);
        Assert.Equal(before.SlotB, t.Control.SlotB);
    }

    [Fact]
    public void BothCopiesBadResetToTheFactoryStateAndStillBoot()
    {
        using TestBoard t = new TestBoard().Factory();
        t.UpdateControl(b => AbRules.SetActive(b, Slot.B, 3));
        DamageCopy(t, 0);
        DamageCopy(t, 1);
        BootResult result = t.Boot();
        Assert.Contains(BootEventKind.BcbReset, Kinds(result));
        Assert.Equal(BootOutcome.Booted, result.Outcome);
        Assert.Equal("a", result.Slot); // the factory state prefers a again
        BootControlBlock after = t.Control;
        Assert.True(after.SlotA.Successful);
        Assert.Equal(new SlotState(14, 3, false, UnbootableReason.None), after.SlotB);
    }

    [Fact]
    public void NoBootableSlotEntersRecoveryWithBothReasons()
    {
        using TestBoard t = new TestBoard().Factory();
        t.FlashPartition("boot_a", TestBoard.Image("boot", "r1", 1, key: TestBoard.OtherKey));
        t.FlashPartition("vendor_b", TestBoard.Image("vendor", "r1", 1, boardId: "another-board"));
        BootResult result = t.Boot();
        Assert.Equal(BootOutcome.RecoveryRequired, result.Outcome);
        Assert.Equal(RecoveryReason.NoBootableSlot, result.RecoveryReason);
        Assert.Null(result.Slot);
        BootControlBlock block = t.Control;
        Assert.Equal(UnbootableReason.UntrustedKey, block.SlotA.Unbootable);
        Assert.Equal(UnbootableReason.WrongBoard, block.SlotB.Unbootable);
        Assert.Equal(BootEventKind.RecoveryEntered, result.Events[^1].Kind);

        // And it stays in recovery without touching the slots again.
        BootResult again = t.Boot();
        Assert.Equal(RecoveryReason.NoBootableSlot, again.RecoveryReason);
        Assert.DoesNotContain(BootEventKind.PartitionVerified, Kinds(again));
    }

    [Fact]
    public void TryingSlotFallsBackToTheSuccessfulOneWhenItsTriesRunOut()
    {
        using TestBoard t = new TestBoard(limits: new BootLimits(3, 20, 5)).Factory();
        t.Boot(); // a successful on r1
        t.FlashSlot(Slot.B, "r2", 2);
        t.UpdateControl(b => AbRules.SetActive(b, Slot.B, 3));

        for (int tries = 2; tries >= 0; tries--)
        {
            BootResult trying = t.Boot(OsHealth.Hang);
            Assert.Equal("b", trying.Slot);
            Assert.Equal("r2", trying.Release);
            Assert.False(trying.MarkedSuccessful);
            Assert.Equal(tries, t.Control.SlotB.TriesRemaining);
        }

        BootResult fallback = t.Boot();
        Assert.Equal("a", fallback.Slot);
        Assert.Equal("r1", fallback.Release);
        Assert.Contains(fallback.Events, e => e.Kind == BootEventKind.SlotMarkedUnbootable && e.Slot == "b" && e.Reason == "tries-exhausted");
        Assert.Equal(UnbootableReason.TriesExhausted, t.Control.SlotB.Unbootable);
        Assert.Equal(1UL, t.Rollback[0]); // r2's rollback index 2 never became the minimum
    }

    [Fact]
    public void CorruptSlotFallsBackAtOnce()
    {
        using TestBoard t = new TestBoard().Factory();
        IBlockDevice system = t.Partition("system_a");
        byte[] sector = new byte[512];
        system.Read(10, sector); // inside the payload (bytes 4096 to 10096)
        sector[7] ^= 1;
        system.Write(10, sector);
        BootResult result = t.Boot();
        Assert.Equal("b", result.Slot);
        BootEvent rejected = Assert.Single(result.Events, e => e.Kind == BootEventKind.PartitionRejected);
        Assert.Equal("system_a", rejected.Partition);
        Assert.Equal("payload-hash-mismatch", rejected.Reason);
        Assert.Equal(UnbootableReason.PayloadHashMismatch, t.Control.SlotA.Unbootable);
    }

    [Fact]
    public void RollbackIndexBelowTheStoredOneIsRejected()
    {
        using TestBoard t = new TestBoard().Factory("r1", 1);
        t.FlashSlot(Slot.B, "r5", 5);
        t.RaiseRollback(0, 5);
        t.RaiseRollback(1, 5);
        t.RaiseRollback(2, 5);
        BootResult result = t.Boot();
        Assert.Equal("b", result.Slot);
        Assert.Equal("r5", result.Release);
        Assert.Contains(result.Events, e => e.Kind == BootEventKind.PartitionRejected && e.Partition == "boot_a" && e.Reason == "rollback-index-too-low");
        Assert.Equal(UnbootableReason.RollbackIndexTooLow, t.Control.SlotA.Unbootable);
    }

    [Fact]
    public void StoredRollbackIndexRisesOnlyAfterSuccess()
    {
        using TestBoard t = new TestBoard().Factory("r1", 1);
        t.Boot();
        t.FlashSlot(Slot.B, "r7", 7);
        t.UpdateControl(b => AbRules.SetActive(b, Slot.B, 3));

        BootResult hung = t.Boot(OsHealth.Hang);
        Assert.Equal("r7", hung.Release);
        Assert.DoesNotContain(BootEventKind.RollbackIndexRaised, Kinds(hung));
        Assert.Equal(1UL, t.Rollback[0]);

        BootResult crashedEarly = t.Boot(OsHealth.Crash(2));
        Assert.Equal(OsOutcome.Crashed, crashedEarly.Os);
        Assert.False(crashedEarly.MarkedSuccessful);
        Assert.Equal(1UL, t.Rollback[0]);

        BootResult healthy = t.Boot(OsHealth.Crash(60)); // health check (5 s) passes before the crash
        Assert.True(healthy.MarkedSuccessful);
        Assert.Equal(OsOutcome.Crashed, healthy.Os);
        var raised = healthy.Events.Where(e => e.Kind == BootEventKind.RollbackIndexRaised).ToList();
        Assert.Equal([0, 1, 2], raised.Select(e => e.Location!.Value));
        Assert.All(raised, e => Assert.Equal(7UL, e.RollbackIndex));
        Assert.True(healthy.Events.ToList().FindIndex(e => e.Kind == BootEventKind.MarkedSuccessful)
            < healthy.Events.ToList().FindIndex(e => e.Kind == BootEventKind.RollbackIndexRaised));
        Assert.Equal([7UL, 7UL, 7UL], t.Rollback.Take(3));

        // Slot a (r1, rollback 1) is now a downgrade and is refused.
        t.UpdateControl(b => AbRules.SetActive(b, Slot.A, 3));
        BootResult downgrade = t.Boot();
        Assert.Equal("b", downgrade.Slot);
        Assert.Equal(UnbootableReason.RollbackIndexTooLow, t.Control.SlotA.Unbootable);
    }

    [Fact]
    public void BootCountExceededOnASuccessfulSlotThatHangsEntersRecovery()
    {
        var limits = new BootLimits(3, 5, 5);
        using TestBoard t = new TestBoard(limits: limits).Factory();
        t.Boot(); // a successful: it spends no tries any more
        for (int i = 1; i <= 5; i++)
        {
            BootResult hung = t.Boot(OsHealth.Hang);
            Assert.Equal("a", hung.Slot);
            Assert.Equal((uint)i, t.Control.BootCount);
        }

        BootResult limited = t.Boot(OsHealth.Hang);
        Assert.Equal(BootOutcome.RecoveryRequired, limited.Outcome);
        Assert.Equal(RecoveryReason.BootLimitExceeded, limited.RecoveryReason);
        Assert.Contains(BootEventKind.BootLimitExceeded, Kinds(limited));
    }

    [Fact]
    public void AnOsThatNeverMarksSuccessEndsInRecoveryNotAnEndlessLoop()
    {
        // home-assistant/operating-system#4823: the device must not boot-loop forever.
        var limits = new BootLimits(3, 100, 5);
        using TestBoard t = new TestBoard(limits: limits).Factory();
        var slots = new List<string?>();
        BootResult result;
        int boots = 0;
        do
        {
            result = t.Boot(OsHealth.Hang);
            slots.Add(result.Slot);
            boots++;
        }
        while (result.Outcome == BootOutcome.Booted && boots < 50);

        Assert.Equal(BootOutcome.RecoveryRequired, result.Outcome);
        Assert.Equal(RecoveryReason.NoBootableSlot, result.RecoveryReason);
        Assert.Equal(["a", "a", "a", "b", "b", "b", null], slots);
        Assert.Equal(UnbootableReason.TriesExhausted, t.Control.SlotA.Unbootable);
        Assert.Equal(UnbootableReason.TriesExhausted, t.Control.SlotB.Unbootable);
        Assert.All(t.Rollback, value => Assert.True(value == 0));
    }

    [Fact]
    public void MixedReleasesInOneSlotAreRejected()
    {
        using TestBoard t = new TestBoard().Factory();
        t.FlashPartition("vendor_a", TestBoard.Image("vendor", "r9", 1));
        BootResult result = t.Boot();
        Assert.Equal("b", result.Slot);
        Assert.Equal(UnbootableReason.ReleaseMismatch, t.Control.SlotA.Unbootable);
    }

    [Fact]
    public void ImageForAnotherPartitionIsRejected()
    {
        using TestBoard t = new TestBoard().Factory();
        t.FlashPartition("boot_a", TestBoard.Image("vendor", "r1", 1));
        t.Boot();
        Assert.Equal(UnbootableReason.WrongPartition, t.Control.SlotA.Unbootable);
    }

    [Fact]
    public void ErasedHeaderIsRejectedAsInvalid()
    {
        using TestBoard t = new TestBoard().Factory();
        t.Partition("boot_b").Write(0, new byte[4096]);
        t.UpdateControl(b => AbRules.SetActive(b, Slot.B, 3));
        BootResult result = t.Boot();
        Assert.Equal("a", result.Slot);
        Assert.Equal(UnbootableReason.HeaderInvalid, t.Control.SlotB.Unbootable);
    }

    [Fact]
    public void RecoveryRequestIsHonouredBeforeAnySlot()
    {
        using TestBoard t = new TestBoard().Factory();
        t.UpdateControl(b => AbRules.RequestRecovery(b, RecoveryReason.UserRequested, RecoverySource.Usb));
        BootResult result = t.Boot();
        Assert.Equal(BootOutcome.RecoveryRequired, result.Outcome);
        Assert.Equal(RecoveryReason.UserRequested, result.RecoveryReason);
        Assert.DoesNotContain(BootEventKind.SlotChosen, Kinds(result));
        Assert.Equal(RecoveryReason.UserRequested, t.Boot().RecoveryReason); // until recovery clears it

        t.UpdateControl(AbRules.ClearRecovery);
        Assert.Equal(BootOutcome.Booted, t.Boot().Outcome);
    }

    [Fact]
    public void SingleProfileGoesStraightToRecoveryOnABadPartition()
    {
        using TestBoard t = new TestBoard(BoardProfile.Single).Factory();
        Assert.Equal(BootOutcome.Booted, t.Boot().Outcome);
        t.Partition("vendor").Write(0, new byte[512]);
        BootResult result = t.Boot();
        Assert.Equal(BootOutcome.RecoveryRequired, result.Outcome);
        Assert.Equal(RecoveryReason.PartitionInvalid, result.RecoveryReason);
        Assert.Contains(result.Events, e => e.Kind == BootEventKind.PartitionRejected && e.Partition == "vendor");
    }

    [Fact]
    public void SingleProfileHangsEndInRecoveryAtTheBootLimit()
    {
        using TestBoard t = new TestBoard(BoardProfile.Single, new BootLimits(3, 4, 5)).Factory();
        int boots = 0;
        while (t.Boot(OsHealth.Hang).Outcome == BootOutcome.Booted)
        {
            boots++;
            Assert.True(boots <= 4);
        }

        Assert.Equal(4, boots);
    }

    [Fact]
    public void EventsCarrySimulatedTimeWithoutSleeping()
    {
        using TestBoard t = new TestBoard(limits: new BootLimits(3, 8, 3600)).Factory();
        BootResult result = t.Boot(OsHealth.Healthy);
        BootEvent started = result.Events.First(e => e.Kind == BootEventKind.OsStarted);
        BootEvent marked = result.Events.First(e => e.Kind == BootEventKind.MarkedSuccessful);
        Assert.Equal(TimeSpan.FromHours(1), marked.Time - started.Time);
    }
}
