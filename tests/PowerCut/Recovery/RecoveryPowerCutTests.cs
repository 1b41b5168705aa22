using CsCheck;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;

namespace RecoverySim.PowerCut.Tests.Recovery;

/// <summary>
/// Power cut at every write of a whole recovery of a small A/B board, as littlefs's reentrant
/// tests do: the run's disk writes are recorded once (the write log), and every crash state of it
/// — each prefix, lost volatile caches after the last flush, torn multi-sector writes — is rebuilt
/// as an overlay over the starting disk. After each cut the next power-on must finish recovery (or
/// find it finished) and boot a validly signed release, with <c>userdata</c> unchanged and no
/// rollback index lowered. A second cut during the resumed recovery is sampled with CsCheck.
/// </summary>
public class RecoveryPowerCutTests
{
    private static readonly byte[] Golden = RecoveryBench.Golden("1.0.0", 1);
    private static readonly byte[] Newer = RecoveryBench.Golden("2.0.0", 2, seed: 2);

    /// <summary>A starting board, the golden image recovery installs, and whether a slot must stay bootable throughout.</summary>
    public sealed record Scenario(string Name, Func<RecoveryBench> Setup, byte[] Image, string Release, string? OldRelease)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Scenario> Scenarios() =>
    [
        new Scenario("bricked board, both slots bad", () =>
        {
            var bench = new RecoveryBench();
            bench.Flash(Golden);
            bench.Brick();
            bench.PowerOn([]);
            return bench;
        }, Golden, "rel-1.0.0", null),
        new Scenario("user-requested recovery of a healthy board to a newer golden image", () =>
        {
            var bench = new RecoveryBench();
            bench.Flash(Golden);
            bench.PowerOn([]);
            using Board board = bench.Open();
            board.Control.Read();
            board.Control.Write(AbRules.RequestRecovery(board.Control.Current, RecoveryReason.UserRequested, RecoverySource.Any));
            return bench;
        }, Newer, "rel-2.0.0", "rel-1.0.0"),
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void CutAtEveryWriteOfARecovery(Scenario scenario)
    {
        RecoveryBench start = scenario.Setup();
        string userdata = start.UserdataHash();
        RollbackIndexes before = PeekRpmb(start, start.Rpmb);
        (WriteLog log, MemoryBlockDevice finalRpmb) = Record(start, start.Disk, scenario.Image);
        Assert.True(log.Count > 40, $"the recorded recovery has only {log.Count} entries");

        int states = 0;
        foreach (CrashState state in States(log))
        {
            states++;
            using OverlayBlockDevice disk = state.Open(start.Disk, log);
            MemoryBlockDevice rpmb = (state.Prefix == log.Count ? finalRpmb : start.Rpmb).Clone();
            Check(start, scenario, disk, rpmb, userdata, before, $"crash state {state}");
        }

        Assert.True(states > log.Count, $"only {states} states for {log.Count} log entries");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ASecondCutDuringTheResumedRecoveryIsSafeToo(Scenario scenario)
    {
        RecoveryBench start = scenario.Setup();
        string userdata = start.UserdataHash();
        RollbackIndexes before = PeekRpmb(start, start.Rpmb);
        (WriteLog log, _) = Record(start, start.Disk, scenario.Image);
        CrashState[] first = States(log).ToArray();

        Gen.Select(Gen.Int[0, first.Length - 1], Gen.Double[0, 1], Gen.Int[0, 2]).Sample((i, where, kind) =>
        {
            // The first cut, then the next power-on recorded over that crash state, then a second cut in it.
            using OverlayBlockDevice crashed = first[i].Open(start.Disk, log);
            (WriteLog resumed, _) = Record(start, crashed, scenario.Image);
            int prefix = (int)Math.Round(where * resumed.Count);
            CrashState second = kind switch
            {
                1 when resumed.VolatileCount(prefix) > 0 => CrashState.WithCacheLoss(prefix, new bool[resumed.VolatileCount(prefix)]),
                2 when prefix < resumed.Count && resumed[prefix].Kind == WriteLogEntryKind.Write && resumed[prefix].SectorCount > 1 => CrashState.TornWrite(prefix, (int)resumed[prefix].SectorCount / 2),
                _ => CrashState.AfterPrefix(prefix),
            };

            using OverlayBlockDevice twice = second.Open(crashed, resumed);
            Check(start, scenario, twice, start.Rpmb.Clone(), userdata, before, $"crash state {first[i]} then {second}");
        }, iter: 40, seed: "0N0XIzNsQ0O2");
    }

    /// <summary>The next power-on after a cut: it must end running a validly signed release, userdata as it was, no rollback index lower.</summary>
    private static void Check(RecoveryBench start, Scenario scenario, IBlockDevice disk, MemoryBlockDevice rpmb, string userdata, RollbackIndexes before, string where)
    {
        if (scenario.OldRelease is not null)
        {
            // A slot that could boot before recovery began stays bootable until the other holds the
            // verified golden release: with every source gone, the board still boots.
            using var offline = new OverlayBlockDevice(disk);
            PowerOnResult stranded = start.PowerOn([], offline, rpmb.Clone());
            Assert.True(stranded.Healthy, $"{where}: with no source the board is {stranded.Outcome}");
            Assert.Contains(stranded.LastBoot.Release, new[] { scenario.Release, scenario.OldRelease });
        }

        PowerOnResult next = start.PowerOn([RecoveryBench.Source(scenario.Image)], disk, rpmb);
        Assert.True(next.Healthy, $"{where}: next power-on ended {next.Outcome}");
        Assert.True(next.LastBoot.MarkedSuccessful, $"{where}: the OS did not mark slot {next.LastBoot.Slot} successful");
        Assert.True(next.LastBoot.Release == scenario.Release || (next.Recovery is null && next.LastBoot.Release == scenario.OldRelease),
            $"{where}: booted {next.LastBoot.Release}, expected {scenario.Release}");
        Assert.True(userdata == start.UserdataHash(disk), $"{where}: userdata changed");
        Assert.True(PeekRpmb(start, rpmb).AllAtLeast(before), $"{where}: a rollback index went down");
        if (next.LastBoot.Release == scenario.Release)
        {
            IReadOnlyList<string?> slots = start.SlotReleases(disk, rpmb);
            Assert.True(slots.All(r => r == scenario.Release), $"{where}: slots hold [{string.Join(", ", slots)}], expected {scenario.Release} in both");
        }
    }

    /// <summary>Runs the whole power-on over a recording of <paramref name="disk"/>; returns its write log and the RPMB it ended with.</summary>
    private static (WriteLog Log, MemoryBlockDevice Rpmb) Record(RecoveryBench start, IBlockDevice disk, byte[] image)
    {
        var recording = new RecordingBlockDevice(new OverlayBlockDevice(disk));
        MemoryBlockDevice rpmb = start.Rpmb.Clone();
        PowerOnResult run = start.PowerOn([RecoveryBench.Source(image)], recording, rpmb);
        Assert.True(run.Healthy, $"the uninterrupted run ended {run.Outcome}");
        return (recording.Log, rpmb);
    }

    /// <summary>Every prefix, up to four lost-cache subsets per prefix, and three tears (first sector, middle, all but one) of every multi-sector write.</summary>
    private static IEnumerable<CrashState> States(WriteLog log) => CrashStateSelection.Of(log, maxCacheStatesPerPrefix: 4, seed: 11);

    private static RollbackIndexes PeekRpmb(RecoveryBench start, IBlockDevice rpmb)
    {
        using Board board = start.Open(start.Disk, rpmb);
        return board.Rpmb.Read();
    }
}
