using RecoverySim.BlockDevice.Logging;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;
using RecoverySim.Lab.Tests.Scenarios;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// Issue #11 item 5 over the update agent itself: an <c>ota</c> scenario whose download breaks off
/// and resumes, cut at every write of both checks (download area, install, reboot): no brick, no
/// data loss.
/// </summary>
public sealed class OtaCampaignTests
{
    [Fact]
    public async Task The_exhaustive_campaign_over_a_resumed_download_and_its_install_finds_no_brick_and_no_data_loss()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("ota-resumed-download-power-loss");
        Campaign campaign = await Campaign.PrepareAsync(bench, new CampaignOptions { Jobs = 2 });
        IReadOnlyList<TimelineEntry> timeline = campaign.Recorded.Run.Timeline;
        Assert.Contains(timeline, e => e.Event.Kind.Name == "update-failed" && e.Event.Message.Contains("resumes from there", StringComparison.Ordinal));
        Assert.Contains(timeline, e => e.Event.Kind.Name == "update-download-resumed" && e.Event.Message.Contains("at byte 300000", StringComparison.Ordinal));
        Assert.Contains(timeline, e => e.Event.Kind.Name == "update-installed");

        // The download area's writes are in the one disk log the campaign cuts, data and header both.
        long first = bench.DownloadAreaOffset / 512, end = first + (bench.DownloadAreaBytes / 512);
        WriteLog log = campaign.Recorded.Recording.DiskLog;
        int areaWrites = Enumerable.Range(0, log.Count).Count(i => log[i].Kind == WriteLogEntryKind.Write && log[i].Sector >= first && log[i].Sector < end);
        Assert.True(areaWrites >= 10, $"{areaWrites} writes in the download area");
        Assert.Contains(Enumerable.Range(0, log.Count), i => log[i].Kind == WriteLogEntryKind.Write && log[i].Sector == first);

        CampaignReport report = await campaign.RunAsync();
        Assert.Empty(report.Failures);
        Assert.True(report.Outcomes.Count > report.DiskWrites);
        Assert.Equal("r2", report.Baseline.Release);
    }
}
