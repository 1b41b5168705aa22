using System.Security.Cryptography;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;
using RecoverySim.Lab.Tests.Scenarios;
using RecoverySim.Lab.Time;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// The A/B install of a delta package (issue #11 items 1 and 5): a power cut at every write of it
/// leaves a board that boots, and a package for another source release is refused before any write.
/// </summary>
public sealed class DeltaUpdateTests
{
    [Fact]
    public async Task TheExhaustiveCampaignOfADeltaInstallFindsNoBrickAndNoDataLoss()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("delta-update-power-loss");
        Campaign campaign = await Campaign.PrepareAsync(bench, new CampaignOptions { Jobs = 2 });
        Assert.Contains(campaign.Recorded.Run.Timeline, e => e.Event.Message.Contains("patch member", StringComparison.Ordinal));
        CampaignReport report = await campaign.RunAsync();
        Assert.Empty(report.Failures);
        Assert.True(report.Outcomes.Count > report.DiskWrites);
        Assert.Equal("r11", report.Baseline.Release);
    }

    [Fact]
    public async Task ADeltaForAnotherSourceIsRefusedWithNothingWritten()
    {
        // The board runs r11 (after one delta update); a delta from r1 to r11 does not apply to it.
        ScenarioBench bench = await ScenarioFiles.BenchAsync("delta-update-power-loss");
        var run = new BoardRun(bench, 1);
        await run.PowerOnAsync("test", 4);
        byte[] delta = await bench.DeltaAsync("r1", "r11");
        using (Board board = run.Open())
        {
            await new SlotUpdate(board, new BootLog(new BootClock(run.Clock))).InstallDeltaAsync(() => new MemoryStream(delta, writable: false));
        }

        Assert.Equal("r11", (await run.PowerOnAsync("test", 4)).ReleaseId is string id ? bench.ReleaseName(id) : null);
        string before = Hash(run.Disk);
        using (Board board = run.Open())
        {
            var e = await Assert.ThrowsAsync<SlotUpdateException>(() =>
                new SlotUpdate(board, new BootLog(new BootClock(run.Clock))).InstallDeltaAsync(() => new MemoryStream(delta, writable: false)));
            Assert.Contains("applies to release rel-r1", e.Message);
            Assert.Contains("nothing written", e.Message);
        }

        Assert.Equal(before, Hash(run.Disk));
    }

    private static string Hash(IBlockDevice device)
    {
        using var stream = new BlockDeviceStream(device, writable: false);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
