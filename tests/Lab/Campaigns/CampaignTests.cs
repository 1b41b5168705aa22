using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;
using RecoverySim.Lab.Tests.Scenarios;

namespace RecoverySim.Lab.Tests.Campaigns;

/// <summary>
/// Power-cut campaigns (the "Tests that must exist"): the exhaustive single-cut campaign
/// of a small update and of a small recovery find no brick and no data loss; campaigns replay bit
/// for bit from their seed, whatever the jobs or shards; and a buggy storage stack is caught with
/// a crash id that replays it and shrinks to the first bad write.
/// </summary>
public sealed class CampaignTests
{
    private static async Task<CampaignReport> RunAsync(ScenarioBench bench, CampaignOptions options)
    {
        Campaign campaign = await Campaign.PrepareAsync(bench, options);
        return await campaign.RunAsync();
    }

    [Fact]
    public async Task TheExhaustiveCampaignOfAnUpdateFindsNoBrickAndNoDataLoss()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("update-power-loss-system");
        CampaignReport report = await RunAsync(bench, new CampaignOptions { Jobs = 2 });
        Assert.Empty(report.Failures);
        Assert.True(report.Outcomes.Count > report.DiskWrites, $"{report.Outcomes.Count} states for {report.DiskWrites} writes");
        foreach (CrashKind kind in new[] { CrashKind.Prefix, CrashKind.Cache, CrashKind.Torn, CrashKind.Rpmb })
        {
            Assert.True(report.ByKind[kind] > 0, $"no {kind} states");
        }

        Assert.Equal(0, report.ByClass[OutcomeClass.Bricked] + report.ByClass[OutcomeClass.DataLost] + report.ByClass[OutcomeClass.Violation]);
    }

    [Fact]
    public async Task TheExhaustiveCampaignOfARecoveryFindsNoBrickAndNoDataLoss()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("both-slots-bad");
        CampaignReport report = await RunAsync(bench, new CampaignOptions { Jobs = 2 });
        Assert.Empty(report.Failures);
        Assert.True(report.ByClass[OutcomeClass.Recovered] > 0, "no state needed recovery");
        Assert.Equal(0, report.ByClass[OutcomeClass.Bricked] + report.ByClass[OutcomeClass.DataLost] + report.ByClass[OutcomeClass.Violation]);
    }

    [Fact]
    public async Task ASecondCutDuringTheRecoveryAfterTheFirstIsSafeToo()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("both-slots-bad");
        CampaignReport report = await RunAsync(bench, new CampaignOptions { Samples = 12, Depth = 2, SecondCuts = 2, Jobs = 2, Seed = 5 });
        Assert.True(report.ByKind[CrashKind.Depth2] >= 12, $"{report.ByKind[CrashKind.Depth2]} second cuts");
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task OneSeedGivesOneDigestWhateverTheJobs()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("update-power-loss-system");
        CampaignReport one = await RunAsync(bench, new CampaignOptions { Samples = 40, Seed = 3, Jobs = 1 });
        CampaignReport two = await RunAsync(bench, new CampaignOptions { Samples = 40, Seed = 3, Jobs = 2 });
        CampaignReport other = await RunAsync(bench, new CampaignOptions { Samples = 40, Seed = 4, Jobs = 2 });
        Assert.Equal(one.Digest, two.Digest);
        Assert.Equal(one.Outcomes, two.Outcomes);
        Assert.NotEqual(one.Digest, other.Digest);
    }

    [Fact]
    public async Task ShardsMergeToTheWholeRunDigestIncluded()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("update-power-loss-boot");
        CampaignReport whole = await RunAsync(bench, new CampaignOptions { Jobs = 2 });
        var shards = new List<CampaignReport>();
        for (int k = 0; k < 3; k++)
        {
            shards.Add(await RunAsync(bench, new CampaignOptions { Jobs = 2, Shard = new Shard(k, 3) }));
        }

        Assert.All(shards, s => Assert.True(s.Outcomes.Count < whole.Outcomes.Count));
        CampaignReport merged = CampaignReport.Merge([shards[2], shards[0], shards[1]]);
        Assert.Equal(whole.Digest, merged.Digest);
        Assert.Equal(whole.Outcomes, merged.Outcomes);
        Assert.Throws<ArgumentException>(() => CampaignReport.Merge([shards[0], shards[1]]));
        Assert.Throws<ArgumentException>(() => CampaignReport.Merge([shards[0], shards[0], shards[1]]));
    }

    [Fact]
    public async Task AReportReadsBackToTheSameDigestAndATamperedOneIsRefused()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("update-power-loss-boot");
        CampaignReport report = await RunAsync(bench, new CampaignOptions { Samples = 15, Seed = 9, Jobs = 2 });
        byte[] json = GoldenImage.Json.StrictJson.Write(report.WriteJson);
        CampaignReport back = CampaignReport.Parse(json, "report.json");
        Assert.Equal(report.Digest, back.Digest);
        Assert.Equal(report.Outcomes, back.Outcomes);

        string text = System.Text.Encoding.UTF8.GetString(json);
        string tampered = text.Replace("\"class\": \"clean\"", "\"class\": \"fell-back\"", StringComparison.Ordinal);
        Assert.NotEqual(text, tampered);
        var e = Assert.Throws<GoldenImage.Json.JsonInputException>(() => CampaignReport.Parse(System.Text.Encoding.UTF8.GetBytes(tampered), "report.json"));
        Assert.Equal("$.digest", e.Path);
    }

    [Fact]
    public async Task ReportsAreWrittenAsJUnitWithTheReplayCommandOfEachFailure()
    {
        (ScenarioBench bench, CampaignReport report) = await SwappedMarkCampaignAsync(new CampaignOptions { Jobs = 2 });
        var output = new MemoryStream();
        report.WriteJUnit(output, "scenario.json");
        var xml = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(output.ToArray()));
        var cases = xml.Descendants("testcase").ToArray();
        Assert.Equal(report.Outcomes.Count, cases.Length);
        var failed = cases.Where(c => c.Element("failure") is not null).ToArray();
        Assert.Equal(report.Failures.Count(), failed.Length);
        Assert.Contains($"--replay {report.Failures.First().Id}", failed[0].Element("failure")!.Value, StringComparison.Ordinal);
        Assert.NotNull(bench);
    }

    /// <summary>An update with no recovery source: only the running slot can save the board.</summary>
    private const string UpdateWithoutSources = """
        {"name": "update-without-sources", "releases": [{"name": "r1", "version": "1.0", "rollback_index": 1}, {"name": "r2", "version": "2.0", "rollback_index": 2}],
         "flash": "r1", "steps": [{"step": "power-on"}, {"step": "update", "release": "r2"}, {"step": "power-on"}, {"step": "expect", "release": "r2"}]}
        """;

    private static async Task<(ScenarioBench Bench, CampaignReport Report)> SwappedMarkCampaignAsync(CampaignOptions options)
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync(ScenarioFile.Parse(System.Text.Encoding.UTF8.GetBytes(UpdateWithoutSources), "update.json"));
        return (bench, await RunAsync(bench, options with { DiskDecorator = StorageDoubles.SwappedUpdateMark(bench) }));
    }

    [Fact]
    public async Task TheCorrectStackPassesTheScenarioTheDoublesAreTriedOn()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync(ScenarioFile.Parse(System.Text.Encoding.UTF8.GetBytes(UpdateWithoutSources), "update.json"));
        CampaignReport report = await RunAsync(bench, new CampaignOptions { Jobs = 2 });
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task ASwappedBootControlWriteIsCaughtReplayedAndShrunkToTheFirstBadWrite()
    {
        (ScenarioBench bench, CampaignReport exhaustive) = await SwappedMarkCampaignAsync(new CampaignOptions { Jobs = 2 });
        Assert.NotEmpty(exhaustive.Failures);
        Assert.All(exhaustive.Failures, f => Assert.Equal(OutcomeClass.Bricked, f.Class));

        // The first failing state names the first bad write: the first write into boot_b after the
        // swapped mark (its header being zeroed), torn or landed; every state before it boots.
        CrashOutcome first = exhaustive.Failures.First();
        Assert.Equal(first.Id, exhaustive.Shrunk);
        var point = CrashPoint.Parse(first.Id);
        Campaign campaign = await Campaign.PrepareAsync(bench, new CampaignOptions { DiskDecorator = StorageDoubles.SwappedUpdateMark(bench) });
        IReadOnlyList<RecordedWrite> writes = campaign.Writes();
        RecordedWrite bad = writes[point.Kind == CrashKind.Torn ? point.First.Disk.Prefix : point.First.Disk.Prefix - 1];
        Assert.Equal("boot_b", bad.Partition);
        Assert.Equal(0, bad.Offset);
        Assert.Equal("misc", writes[bad.Index - 2].Partition);
        Assert.All(exhaustive.Outcomes.Where(o => o.Order < first.Order), o => Assert.False(o.Failed));

        // The id replays the failure with the whole timeline.
        (CrashOutcome replayed, IReadOnlyList<TimelineEntry> timeline) = await campaign.ReplayAsync(point);
        Assert.Equal(first.Failure, replayed.Failure);
        int cutAt = timeline.ToList().FindIndex(e => e.Event.Kind == LabEventKinds.PowerCut);
        Assert.True(cutAt > 0, "the replay shows no events of the recorded run before the cut");
        Assert.Contains(timeline.Take(cutAt), e => e.Event.Kind == Recovery.Updates.UpdateEventKinds.Started);
        Assert.DoesNotContain(timeline.Take(cutAt), e => e.Event.Kind == Recovery.Updates.UpdateEventKinds.SlotActivated);
        Assert.Contains(timeline.Skip(cutAt), e => e.Event.Kind == Recovery.RecoveryEventKinds.Failed);

        // Sampling finds it too, and shrinks to the same first bad write.
        (_, CampaignReport sampled) = await SwappedMarkCampaignAsync(new CampaignOptions { Samples = 25, Seed = 2, Jobs = 2 });
        Assert.NotEmpty(sampled.Failures);
        Assert.Equal(first.Id, sampled.Shrunk);
    }

    [Fact]
    public async Task AJournalThatOvertakesItsHeadersIsCaughtAndReplayed()
    {
        ScenarioBench bench = await ScenarioFiles.BenchAsync("both-slots-bad");
        var options = new CampaignOptions { Jobs = 2, DiskDecorator = StorageDoubles.JournalOvertakesHeaders(bench) };
        Campaign campaign = await Campaign.PrepareAsync(bench, options);
        Assert.NotEqual(OutcomeClass.Bricked, campaign.Baseline!.Class);
        CampaignReport report = await campaign.RunAsync();
        Assert.NotEmpty(report.Failures);
        CrashOutcome first = report.Failures.First();
        Assert.Equal(OutcomeClass.Bricked, first.Class);
        (CrashOutcome replayed, IReadOnlyList<TimelineEntry> timeline) = await campaign.ReplayAsync(CrashPoint.Parse(first.Id));
        Assert.Equal(first.Failure, replayed.Failure);
        Assert.Contains(timeline, e => e.Event.Kind == Recovery.RecoveryEventKinds.Resumed || e.Event.Message.Contains("resuming", StringComparison.Ordinal));
    }

}
