using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.BlockDevice;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Tests.Fixtures;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>
/// Factory flash (<c>board flash</c>, through the one slot installer) cut at every write, under
/// every crash kind of its write log (<see cref="CrashStateSelection"/>: every prefix, every subset
/// of the writes a volatile cache may lose, three tears of every multi-sector write): the next power-on
/// boots the old release or the new one, or finds no slot it can verify and heals from the golden
/// image; it never boots a mix, userdata never changes.
/// </summary>
public class FactoryFlashPowerCutTests
{
    private static readonly byte[] Old = RecoveryBench.Golden("1.0.0", 1);
    private static readonly byte[] New = RecoveryBench.Golden("2.0.0", 2, seed: 2);

    [Fact]
    public async Task CutAtEveryWriteOfAFactoryFlash()
    {
        var start = new RecoveryBench();
        start.Flash(Old);
        string userdata = start.UserdataHash();
        var recording = new RecordingBlockDevice(new OverlayBlockDevice(start.Disk));
        using (Board board = start.Open(recording))
        {
            await FactoryFlash.FlashAsync(board, () => new MemoryStream(New, writable: false));
        }

        WriteLog log = recording.Log;
        int states = 0, booted = 0, healed = 0;
        foreach (CrashState state in CrashStateSelection.Of(log, maxCacheStatesPerPrefix: 64, seed: 5))
        {
            states++;
            using OverlayBlockDevice disk = state.Open(start.Disk, log);
            using var offline = new OverlayBlockDevice(disk);
            PowerOnResult alone = start.PowerOn([], offline, new OverlayBlockDevice(start.Rpmb));
            Assert.True(alone.Outcome == RecoverySim.Bootloader.Boot.BootOutcome.Bricked || alone.LastBoot.Release is "rel-1.0.0" or "rel-2.0.0",
                $"crash state {state}: booted {alone.LastBoot.Release}");
            Assert.True(userdata == start.UserdataHash(offline), $"crash state {state}: userdata changed");
            if (alone.Healthy)
            {
                booted++;
                continue;
            }

            PowerOnResult next = start.PowerOn([RecoveryBench.Source(New)], disk, new OverlayBlockDevice(start.Rpmb));
            Assert.True(next.Healthy && next.LastBoot.Release == "rel-2.0.0", $"crash state {state}: {next.Outcome}");
            Assert.True(userdata == start.UserdataHash(disk), $"crash state {state}: userdata changed");
            healed++;
        }

        Assert.True(states > log.Count && booted > 0 && healed > 0, $"{states} states, {booted} booted alone, {healed} healed");
    }
}
