using System.Text.Json;
using RecoverySim.Cli.Tests.Image;
using RecoverySim.Cli.Tests.Service;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Cli.Tests.Lab;

/// <summary>
/// <c>recoverysim scenario run</c> and <c>recoverysim powercut</c> as a user runs them: exit codes,
/// one-line errors, JSON, and a campaign split over shard processes (from --shard and from a CI
/// system's variables) whose merged report equals the whole run's, digest included.
/// </summary>
public sealed class LabCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rsim-lab-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Scenario(string name)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "scenarios", name + ".json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"scenarios/{name}.json not found above {AppContext.BaseDirectory}");
    }

    private string Write(string name, string json)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ScenarioRunPrintsTheTimelineAndExitsZeroWhenEveryExpectationHolds()
    {
        CliRun run = ImageCliFixture.Run("scenario", "run", Scenario("both-slots-bad"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("recovery-completed", run.Output);
        Assert.Contains("scenario both-slots-bad (seed 1): 5 of 5 expectations held", run.Output);
        Assert.Equal("", run.Error);

        CliRun json = ImageCliFixture.Run("scenario", "run", Scenario("both-slots-bad"), "--json", "--seed", "3");
        using JsonDocument doc = JsonDocument.Parse(json.Output);
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("seed").GetInt64());
        Assert.Equal("recovered", doc.RootElement.GetProperty("last_power_on").GetProperty("outcome").GetString());
    }

    [Fact]
    public void AFailedExpectationExitsOneWithALinePerCheck()
    {
        string file = Write("wrong.json", """
            {"name": "wrong", "releases": [{"name": "r1", "version": "1", "rollback_index": 1}], "flash": "r1",
             "steps": [{"step": "power-on"}, {"step": "expect", "outcome": "recovered", "slot": "b"}]}
            """);
        CliRun run = ImageCliFixture.Run("scenario", "run", file);
        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Error.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("$.steps[1].outcome: expected recovered, found booted", lines[0]);
        Assert.Contains("$.steps[1].slot: expected b, found a", lines[1]);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"bogus\": 1}", "$.bogus")]
    [InlineData("{\"name\": \"x\", \"releases\": [{\"name\": \"r1\", \"version\": \"1\", \"rollback_index\": 1}], \"flash\": \"r1\", \"steps\": [{\"step\": \"jump\"}]}", "$.steps[0].step")]
    public void ABadScenarioFileIsOneLineNamingItsPath(string json, string path)
    {
        string file = Write("bad.json", json);
        foreach (string[] args in new[] { new[] { "scenario", "run", file }, new[] { "powercut", file } })
        {
            CliRun run = ImageCliFixture.Run(args);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Single(run.Error.Trim().Split('\n'));
            Assert.Contains(path, run.Error);
        }
    }

    [Fact]
    public void AMissingFileAndABadIdAreOneLineEach()
    {
        CliRun missing = ImageCliFixture.Run("scenario", "run", Path.Combine(_directory, "none.json"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Single(missing.Error.Trim().Split('\n'));

        CliRun badId = ImageCliFixture.Run("powercut", Scenario("update-power-loss-boot"), "--replay", "p3/p4/p5");
        Assert.Equal(2, badId.ExitCode);
        Assert.Single(badId.Error.Trim().Split('\n'));
        Assert.Contains("--replay", badId.Error);

        CliRun pastEnd = ImageCliFixture.Run("powercut", Scenario("update-power-loss-boot"), "--replay", "p999999");
        Assert.NotEqual(0, pastEnd.ExitCode);
        Assert.Single(pastEnd.Error.Trim().Split('\n'));
    }

    [Fact]
    public void AReplayPrintsTheTimelineOfThatState()
    {
        CliRun run = ImageCliFixture.Run("powercut", Scenario("update-power-loss-boot"), "--replay", "p12-t4");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("power-cut", run.Output);
        Assert.Contains("crash state p12-t4 (torn)", run.Output);
    }

    [Fact]
    public async Task ShardProcessesMergeToTheWholeCampaignsDigest()
    {
        string scenario = Scenario("update-power-loss-boot");
        CliRun whole = ImageCliFixture.Run("powercut", scenario, "--json", "--jobs", "2");
        Assert.True(whole.ExitCode == 0, whole.ToString());
        string digest = JsonDocument.Parse(whole.Output).RootElement.GetProperty("digest").GetString()!;

        // Three shard processes at once: two given --shard, one taking it from GitLab's variables.
        var reports = Enumerable.Range(0, 3).Select(k => Path.Combine(_directory, $"shard-{k}.json")).ToArray();
        var processes = new List<PeerProcess>
        {
            PeerProcess.Start(ServeProcess.Program, ["powercut", scenario, "--shard", "0/3", "--jobs", "1", "--report", reports[0]]),
            PeerProcess.Start(ServeProcess.Program, ["powercut", scenario, "--shard", "1/3", "--jobs", "1", "--report", reports[1]]),
            PeerProcess.Start(ServeProcess.Program, ["powercut", scenario, "--jobs", "1", "--report", reports[2]],
                environment: new Dictionary<string, string?> { ["CI_NODE_INDEX"] = "3", ["CI_NODE_TOTAL"] = "3" }),
        };
        foreach (PeerProcess process in processes)
        {
            await using (process)
            {
                PeerResult result = await process.WaitAsync(TimeSpan.FromMinutes(3));
                Assert.True(result.ExitCode == 0, result.ToString());
                Assert.Contains("failures: 0", result.StandardOutput);
            }
        }

        Assert.Equal("2/3", JsonDocument.Parse(File.ReadAllText(reports[2])).RootElement.GetProperty("shard").GetString());
        CliRun merged = ImageCliFixture.Run(["powercut", "merge", .. reports, "--json"]);
        Assert.True(merged.ExitCode == 0, merged.ToString());
        Assert.Equal(digest, JsonDocument.Parse(merged.Output).RootElement.GetProperty("digest").GetString());

        CliRun partial = ImageCliFixture.Run("powercut", "merge", reports[0], reports[2]);
        Assert.NotEqual(0, partial.ExitCode);
        Assert.Contains("every shard 0 to 2 once", partial.Error);
    }

    [Fact]
    public void JUnitAndListWritesAreWritten()
    {
        string junit = Path.Combine(_directory, "junit.xml");
        CliRun run = ImageCliFixture.Run("powercut", Scenario("update-power-loss-boot"), "--samples", "10", "--junit", junit);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("<testsuite name=\"powercut.update-power-loss-boot\"", File.ReadAllText(junit));

        CliRun list = ImageCliFixture.Run("powercut", Scenario("update-power-loss-boot"), "--list-writes");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("boot_b", list.Output);
        Assert.Contains("$.steps[2] #0", list.Output);
    }

    [Fact]
    public void ListWritesNamesTheDownloadAreaOfAnOtaScenario()
    {
        CliRun list = ImageCliFixture.Run("powercut", Scenario("ota-resumed-download-power-loss"), "--list-writes");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("download-area @0 1 sectors", list.Output, StringComparison.Ordinal);
        Assert.Contains("system_b", list.Output, StringComparison.Ordinal);
    }
}
