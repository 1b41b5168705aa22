using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>
/// Power cut at every write of the boot flow's boot control block updates (on the disk) and of
/// its rollback-index raises (on RPMB), under every fault mode: nothing lands, a torn sector of
/// garbage, a torn prefix, a lost volatile cache, a random subset of it. After each cut the next
/// read sees the state before or after the interrupted write, never an invalid one; counters
/// never go down; and the next power-on boots the release the uninterrupted run booted, with the
/// same rollback indexes in the end (a raise cut short after the success mark is finished by it).
/// </summary>
public class BootPowerCutTests
{
    private static readonly TimeProvider Time = new FixedTime();

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>A starting board and the operation under test.</summary>
    /// <param name="Name">What the scenario does.</param>
    /// <param name="Setup">Makes the starting board.</param>
    /// <param name="Operation">The operation cut short.</param>
    /// <param name="ExpectedRelease">What the next power-on boots after the uninterrupted operation.</param>
    /// <param name="OldRelease">What the next power-on may boot instead when the cut undid the operation (a set-active lost), or null.</param>
    public sealed record Scenario(string Name, Func<PowerCutBoard> Setup, Action<Board> Operation, string ExpectedRelease, string? OldRelease = null)
    {
        public override string ToString() => Name;
    }

    private static readonly BootLimits Limits = new(3, 8, 5);

    private static PowerCutBoard Factory()
    {
        var board = new PowerCutBoard(Limits);
        board.FlashSlot(Slot.A, "r1", 1);
        board.FlashSlot(Slot.B, "r1", 1);
        return board;
    }

    private static void Boot(Board board) => board.BootFlow(Time).PowerOn(OsHealth.Healthy);

    public static TheoryData<Scenario> Scenarios() =>
    [
        new Scenario("first boot of a factory board", Factory, Boot, "r1"),
        new Scenario("first boot of an update in slot b", () =>
        {
            PowerCutBoard board = Factory();
            using (Board b = board.Open()) Boot(b);
            board.FlashSlot(Slot.B, "r2", 2);
            board.UpdateControl(c => AbRules.SetActive(c, Slot.B, Limits.MaxTries));
            return board;
        }, Boot, "r2"),
        new Scenario("fallback from a corrupt slot a", () =>
        {
            PowerCutBoard board = Factory();
            board.FlashSlot(Slot.B, "r3", 3);
            using (Board b = board.Open()) b.Partition("vendor_a").Write(0, new byte[512]);
            return board;
        }, Boot, "r3"),
        new Scenario("both BCB copies damaged", () =>
        {
            PowerCutBoard board = Factory();
            using (Board b = board.Open())
            {
                b.Partition(BoardLayout.Misc).Write(MiscLayout.BootControlCopy0Offset / 512, new byte[512]);
                b.Partition(BoardLayout.Misc).Write(MiscLayout.BootControlCopy1Offset / 512, new byte[512]);
            }

            return board;
        }, Boot, "r1"),
        new Scenario("set-active of slot b", () =>
        {
            PowerCutBoard board = Factory();
            board.FlashSlot(Slot.B, "r4", 4);
            return board;
        }, b => b.Control.Write(AbRules.SetActive(b.Control.Read().Block!.Value, Slot.B, Limits.MaxTries)), "r4", "r1"),
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void CutAtEveryBootControlWrite(Scenario scenario) => CutEverywhere(scenario, cutDisk: true);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void CutAtEveryRollbackIndexWrite(Scenario scenario) => CutEverywhere(scenario, cutDisk: false);

    private static void CutEverywhere(Scenario scenario, bool cutDisk)
    {
        PowerCutBoard start = scenario.Setup();
        BootControlBlock? before = Peek(start.Disk, start).Control;
        RollbackIndexes rollbackBefore = PowerCutBoard.PeekRpmb(start.Rpmb)!;

        // The uninterrupted run: how many writes, and where it ends.
        (MemoryBlockDevice cleanDisk, MemoryBlockDevice cleanRpmb, long writes, bool cut) = Run(start, scenario, cutDisk, null, PowerCutBoard.FaultModes().First());
        Assert.False(cut);
        BootResult cleanNext = NextBoot(start, cleanDisk, cleanRpmb);
        Assert.Equal(scenario.ExpectedRelease, cleanNext.Release);
        RollbackIndexes cleanFinal = PowerCutBoard.PeekRpmb(cleanRpmb)!;

        // The state after exactly w writes landed (w = 0..writes): the trace a cut may stop at.
        var trace = new List<(BootControlBlock? Control, RollbackIndexes? Rollback)>();
        for (long w = 0; w <= writes; w++)
        {
            (MemoryBlockDevice d, MemoryBlockDevice r, _, _) = Run(start, scenario, cutDisk, w, PowerCutBoard.FaultModes().First());
            trace.Add(Peek(d, r, start));
        }

        if (cutDisk)
        {
            Assert.Equal(before, trace[0].Control);
        }

        int points = 0;
        foreach (var mode in PowerCutBoard.FaultModes())
        {
            for (long w = 0; w < writes; w++)
            {
                (MemoryBlockDevice disk, MemoryBlockDevice rpmb, _, bool wasCut) = Run(start, scenario, cutDisk, w, mode);
                Assert.True(wasCut, $"{mode.Name}: no cut at write {w}");
                points++;
                var seen = Peek(disk, rpmb, start);
                string where = $"{scenario.Name}, {(cutDisk ? "disk" : "rpmb")} write {w} of {writes}, {mode.Name}";

                // Old or new, never invalid (unless the old state itself had no valid copy).
                Assert.True(seen.Control is not null || trace[(int)w].Control is null, $"{where}: no valid boot control block copy");
                Assert.True(seen.Rollback is not null, $"{where}: no valid RPMB copy");
                Assert.True(Equals(seen.Control, trace[(int)w].Control) || Equals(seen.Control, trace[(int)w + 1].Control),
                    $"{where}: boot control block {seen.Control} is neither {trace[(int)w].Control} nor {trace[(int)w + 1].Control}");
                Assert.True(seen.Rollback!.Equals(trace[(int)w].Rollback) || seen.Rollback.Equals(trace[(int)w + 1].Rollback),
                    $"{where}: rollback indexes {seen.Rollback} are neither {trace[(int)w].Rollback} nor {trace[(int)w + 1].Rollback}");
                Assert.True(seen.Rollback.AllAtLeast(rollbackBefore), $"{where}: a rollback index went down");

                // The next power-on boots the same release and ends with the same counters.
                BootResult next = NextBoot(start, disk, rpmb);
                Assert.True(next.Outcome == BootOutcome.Booted, $"{where}: next boot {next.Outcome} {next.RecoveryReason}");
                if (next.Release == scenario.ExpectedRelease)
                {
                    Assert.Equal(cleanFinal, PowerCutBoard.PeekRpmb(rpmb));
                }
                else
                {
                    Assert.True(scenario.OldRelease is not null && next.Release == scenario.OldRelease,
                        $"{where}: next boot ran {next.Release}, expected {scenario.ExpectedRelease}{(scenario.OldRelease is null ? "" : " or " + scenario.OldRelease)}");
                }
            }
        }

        Assert.True(points >= (cutDisk ? 1 : 0));
    }

    private static (MemoryBlockDevice Disk, MemoryBlockDevice Rpmb, long Writes, bool Cut) Run(
        PowerCutBoard start, Scenario scenario, bool cutDisk, long? cutAfter,
        (string Name, Func<IBlockDevice, long, FaultyBlockDevice> Make, int? AtByte) mode)
    {
        MemoryBlockDevice disk = start.Disk.Clone();
        MemoryBlockDevice rpmb = start.Rpmb.Clone();
        FaultyBlockDevice faulty = mode.Make(cutDisk ? disk : rpmb, 1234 + (cutAfter ?? 0));
        if (cutAfter is long w)
        {
            faulty.CutAfterWrites(w, mode.AtByte);
        }

        bool cut = false;
        try
        {
            using Board board = start.Open(cutDisk ? faulty : disk, cutDisk ? rpmb : faulty);
            scenario.Operation(board);
        }
        catch (PowerLossException)
        {
            cut = true;
        }

        long writes = faulty.Stats.Writes;
        faulty.PowerOn();
        faulty.Flush();
        return (disk, rpmb, writes, cut);
    }

    private static BootResult NextBoot(PowerCutBoard start, MemoryBlockDevice disk, MemoryBlockDevice rpmb)
    {
        using Board board = start.Open(disk, rpmb);
        BootResult first = board.BootFlow(Time).PowerOn(OsHealth.Healthy);
        return first;
    }

    private static (BootControlBlock? Control, RollbackIndexes? Rollback) Peek(MemoryBlockDevice disk, MemoryBlockDevice rpmb, PowerCutBoard start)
    {
        using Board board = start.Open(disk, rpmb);
        return (PowerCutBoard.PeekControl(board), PowerCutBoard.PeekRpmb(rpmb));
    }

    private static (BootControlBlock? Control, RollbackIndexes? Rollback) Peek(MemoryBlockDevice disk, PowerCutBoard start) =>
        Peek(disk, start.Rpmb, start);
}
