using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>
/// Power cut at every write of the boot flow's boot control block updates (on the disk) and of
/// its rollback-index raises (on RPMB): both devices' writes are recorded once, with the order
/// between them, and every crash state of the cut device (each prefix, lost cache subsets, torn
/// writes, a torn sector of garbage) is rebuilt as an overlay, with the other device at each point
/// of the issue order the cut may fall on (<see cref="BoardWriteLog"/>). After each cut the next
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
    public void CutAtEveryBootControlWrite(Scenario scenario) => CutEverywhere(scenario, cutRpmb: false);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void CutAtEveryRollbackIndexWrite(Scenario scenario) => CutEverywhere(scenario, cutRpmb: true);

    private static void CutEverywhere(Scenario scenario, bool cutRpmb)
    {
        PowerCutBoard start = scenario.Setup();
        RollbackIndexes rollbackBefore = PowerCutBoard.PeekRpmb(start.Rpmb)!;
        BoardWriteLog log = BoardWriteLog.Record(start, scenario.Operation);

        // The uninterrupted run: the next power-on boots the expected release, and ends with these counters.
        (BootResult cleanNext, RollbackIndexes? cleanFinal) = NextBoot(start, log, log.Whole);
        Assert.Equal(scenario.ExpectedRelease, cleanNext.Release);

        // What each device reads after the first k entries of its log landed: the states a cut may stop at.
        BootControlBlock?[] controls = [.. Enumerable.Range(0, log.Disk.Count + 1).Select(k => Peek(start, log, log.Whole with { Disk = CrashState.AfterPrefix(k) }).Control)];
        RollbackIndexes?[] rollbacks = [.. Enumerable.Range(0, log.Rpmb.Count + 1).Select(k => Peek(start, log, log.Whole with { Rpmb = CrashState.AfterPrefix(k) }).Rollback)];

        int states = 0;
        foreach (BoardCrashState state in cutRpmb ? log.RpmbCuts() : log.DiskCuts())
        {
            states++;
            string where = $"{scenario.Name}, crash state {state}";
            (BootControlBlock? Control, RollbackIndexes? Rollback) seen = Peek(start, log, state);

            // Old or new, never invalid: the cut device reads as after some prefix from its last
            // flush to the entry in flight; the other device as after the prefix it was given.
            Assert.True(seen.Rollback is not null, $"{where}: no valid RPMB copy");
            BootControlBlock?[] allowedControls = cutRpmb ? [controls[state.Disk.Prefix]] : Around(controls, log.Disk, state.Disk);
            RollbackIndexes?[] allowedRollbacks = cutRpmb ? Around(rollbacks, log.Rpmb, state.Rpmb) : [rollbacks[state.Rpmb.Prefix]];
            Assert.True(allowedControls.Any(c => Equals(c, seen.Control)),
                $"{where}: boot control block {Show(seen.Control)} is none of {string.Join(", ", allowedControls.Select(Show))}");
            Assert.True(allowedRollbacks.Any(r => Equals(r, seen.Rollback)),
                $"{where}: rollback indexes {seen.Rollback} are none of {string.Join(", ", allowedRollbacks.Select(r => r?.ToString()))}");
            Assert.True(seen.Rollback!.AllAtLeast(rollbackBefore), $"{where}: a rollback index went down");

            // The next power-on boots the same release and ends with the same counters.
            (BootResult next, RollbackIndexes? final) = NextBoot(start, log, state);
            Assert.True(next.Outcome == BootOutcome.Booted, $"{where}: next boot {next.Outcome} {next.RecoveryReason}");
            if (next.Release == scenario.ExpectedRelease)
            {
                Assert.True(Equals(cleanFinal, final), $"{where}: rollback indexes {final} after the next boot, {cleanFinal} after the uninterrupted run");
            }
            else
            {
                Assert.True(scenario.OldRelease is not null && next.Release == scenario.OldRelease,
                    $"{where}: next boot ran {next.Release}, expected {scenario.ExpectedRelease}{(scenario.OldRelease is null ? "" : " or " + scenario.OldRelease)}");
            }
        }

        WriteLog cutLog = cutRpmb ? log.Rpmb : log.Disk;
        Assert.True(states > cutLog.Count, $"only {states} crash states for {cutLog.Count} log entries");
    }

    /// <summary>The states of <paramref name="trace"/> (one per prefix of <paramref name="log"/>) a cut at <paramref name="state"/> may read as: from the last flush to the entry in flight.</summary>
    private static T[] Around<T>(T[] trace, WriteLog log, CrashState state) =>
        trace[log.DurableCount(state.Prefix)..(Math.Min(state.Prefix + 1, log.Count) + 1)];

    private static string Show(BootControlBlock? block) => block?.ToString() ?? "none";

    private static (BootResult Result, RollbackIndexes? Rollback) NextBoot(PowerCutBoard start, BoardWriteLog log, BoardCrashState state)
    {
        (OverlayBlockDevice disk, OverlayBlockDevice rpmb) = log.Open(state);
        using (disk)
        using (rpmb)
        {
            BootResult result;
            using (Board board = start.Open(disk, rpmb))
            {
                result = board.BootFlow(Time).PowerOn(OsHealth.Healthy);
            }

            return (result, PowerCutBoard.PeekRpmb(rpmb));
        }
    }

    private static (BootControlBlock? Control, RollbackIndexes? Rollback) Peek(PowerCutBoard start, BoardWriteLog log, BoardCrashState state)
    {
        (OverlayBlockDevice disk, OverlayBlockDevice rpmb) = log.Open(state);
        using (disk)
        using (rpmb)
        using (Board board = start.Open(disk, rpmb))
        {
            return (PowerCutBoard.PeekControl(board), PowerCutBoard.PeekRpmb(rpmb));
        }
    }
}
