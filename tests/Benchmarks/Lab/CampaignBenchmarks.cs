using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecoverySim.BlockDevice;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Benchmarks.Lab;

/// <summary>
/// Campaign rate against a plain power-on (issue #10, "Performance"): the default update scenario
/// (scenarios/update-power-loss-system.json) recorded once; a plain power-on of its board as the
/// recorded run left it, against the whole exhaustive campaign per state with one job and with
/// two. The targets: states per second per core at least 80% of one over the plain power-on's
/// time, and two jobs at least 1.7 times one.
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class CampaignBenchmarks
{
    private ScenarioBench _bench = null!;
    private Campaign _campaign = null!;
    private Campaign _twoJobs = null!;
    private int _states;

    [GlobalSetup]
    public void Setup()
    {
        string file = Find("scenarios/update-power-loss-system.json");
        string root = Directory.CreateTempSubdirectory("rsim-bench-campaign-").FullName;
        _bench = ScenarioBench.BuildAsync(ScenarioFile.Load(file), root).GetAwaiter().GetResult();
        // Recorded once each, outside the measurement: what is timed is the campaign over the states.
        _campaign = Campaign.PrepareAsync(_bench, new CampaignOptions { Jobs = 1 }).GetAwaiter().GetResult();
        _twoJobs = Campaign.PrepareAsync(_bench, new CampaignOptions { Jobs = 2 }).GetAwaiter().GetResult();
        _states = _campaign.Exhaustive().Count;
    }

    /// <summary>One power-on, until the OS marks the slot successful, of the board as the whole recorded run left it.</summary>
    [Benchmark(Baseline = true)]
    public string PlainPowerOn()
    {
        (IBlockDevice disk, IBlockDevice rpmb) = _campaign.Recorded.Recording.Rebuild(BoardCut.After(_campaign.Recorded.Recording.DiskLog.Count));
        var run = new BoardRun(_bench, 1, disk, rpmb);
        return run.PowerOnAsync("bench", 16).GetAwaiter().GetResult().Outcome;
    }

    /// <summary>The exhaustive campaign with one job; per operation = per state.</summary>
    [Benchmark(OperationsPerInvoke = 167)]
    public int ExhaustiveOneJob() => Run(_campaign);

    /// <summary>The exhaustive campaign with two jobs; per operation = per state.</summary>
    [Benchmark(OperationsPerInvoke = 167)]
    public int ExhaustiveTwoJobs() => Run(_twoJobs);

    private int Run(Campaign campaign)
    {
        CampaignReport report = campaign.RunAsync().GetAwaiter().GetResult();
        if (report.Outcomes.Count != _states || report.Failures.Any())
        {
            throw new InvalidOperationException($"{report.Outcomes.Count} states (expected {_states}), {report.Failures.Count()} failures");
        }

        return report.Outcomes.Count;
    }

    private static string Find(string relative)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, relative)))
            {
                return Path.Combine(d.FullName, relative);
            }
        }

        throw new FileNotFoundException(relative);
    }

    public sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
