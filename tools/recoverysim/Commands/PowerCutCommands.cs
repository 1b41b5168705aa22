using System.Collections;
using System.CommandLine;
using System.Globalization;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim powercut SCENARIO [--exhaustive | --samples N] [--seed S] [--depth 1|2] [--shard K/N]
/// [--jobs N] [--replay ID] [--json] [--junit FILE] [--report FILE]</c> and
/// <c>recoverysim powercut merge REPORT...</c>: power-cut campaigns over a scenario (docs/SCENARIOS.md
/// "Campaigns"). Exit 0 when no crash state broke an invariant.
/// </summary>
public static class PowerCutCommands
{
    /// <summary>Most failures listed on the terminal (all are in the reports).</summary>
    private const int ListedFailures = 20;

    /// <summary>Builds the <c>powercut</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("powercut", "Cut power at every write of a scenario (or at generated points, shrinking the smallest failure), power the board on from each crash state and check the invariants: it boots a validly signed release, no rollback index went down, userdata is unchanged, nothing unverified ran, no endless boot loop. Exit 0 when none failed.");
        var file = new Argument<string>("SCENARIO") { Description = "The scenario file (scenarios/*.json)." };
        var exhaustive = new Option<bool>("--exhaustive") { Description = "Every crash state: each prefix of the write log, lost caches after the last flush, torn multi-sector writes, RPMB writes at the cut (the default)." };
        var samples = new Option<int?>("--samples") { Description = "N generated crash states (CsCheck), the smallest failure shrunk to the first bad write." };
        var seed = new Option<long>("--seed") { Description = "Seed of every choice (cache subsets, samples, second cuts, lossy links). Same seed, same report and digest. Default 1.", DefaultValueFactory = _ => 1 };
        var depth = new Option<int>("--depth") { Description = "1: single cuts. 2: also a second cut (sampled) during the power-on after each first cut.", DefaultValueFactory = _ => 1 };
        var secondCuts = new Option<int>("--second-cuts") { Description = "Second cuts sampled per first cut at --depth 2.", DefaultValueFactory = _ => 2 };
        var shard = new Option<string?>("--shard") { Description = "Run share K/N (0-based) of the campaign. Without it, the job-array variables are read: JOB_COMPLETION_INDEX (with --shards), SLURM_ARRAY_TASK_ID/COUNT, CI_NODE_INDEX/TOTAL, CIRCLE_NODE_INDEX/TOTAL, BUILDKITE_PARALLEL_JOB/COUNT, RECOVERYSIM_SHARD." };
        var shards = new Option<int?>("--shards") { Description = "The shard count N for a Kubernetes Indexed Job (JOB_COMPLETION_INDEX gives K)." };
        var jobs = new Option<int>("--jobs") { Description = "Crash states evaluated at once (default: the core count).", DefaultValueFactory = _ => System.Environment.ProcessorCount };
        var replay = new Option<string?>("--replay") { Description = "Rebuild this one crash state (an id from a report) and run it with the full timeline." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (or, with --replay, the replayed state and its timeline)." };
        var junit = new Option<string?>("--junit") { Description = "Also write the report as JUnit XML to FILE." };
        var report = new Option<string?>("--report") { Description = "Also write the JSON report to FILE (what powercut merge reads)." };
        var listWrites = new Option<bool>("--list-writes") { Description = "Only list the recorded run's disk writes (index, kind, partition, offset, sectors, step): where a scenario's power-cut steps can point." };
        command.Arguments.Add(file);
        foreach (Option option in new Option[] { exhaustive, samples, seed, depth, secondCuts, shard, shards, jobs, replay, json, junit, report, listWrites })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            if (parse.GetValue(exhaustive) && parse.GetValue(samples) is not null)
            {
                throw new CommandFailedException("--exhaustive and --samples: give one of them", ExitCodes.Usage);
            }

            Shard chosen = Shard.Whole;
            try
            {
                chosen = parse.GetValue(shard) is string text ? Shard.Parse(text)
                    : Shard.FromEnvironment(Variables(), parse.GetValue(shards)) ?? Shard.Whole;
            }
            catch (FormatException e)
            {
                throw new CommandFailedException($"--shard: {e.Message}", ExitCodes.Usage);
            }

            var options = new CampaignOptions
            {
                Samples = parse.GetValue(samples),
                Seed = parse.GetValue(seed),
                Depth = parse.GetValue(depth),
                SecondCuts = parse.GetValue(secondCuts),
                Jobs = parse.GetValue(jobs),
                Shard = chosen,
                Time = context.Time,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CommandFailedException($"campaign options: {e.Message}", ExitCodes.Usage);
            }

            string path = parse.GetValue(file)!;
            Scenario scenario = ScenarioFile.Load(path);
            CrashPoint? replayPoint = null;
            if (parse.GetValue(replay) is string id)
            {
                replayPoint = CrashPoint.TryParse(id, out CrashPoint? parsed, out string? error) ? parsed : throw new CommandFailedException($"--replay: {error}", ExitCodes.Usage);
            }

            DirectoryInfo root = System.IO.Directory.CreateTempSubdirectory("recoverysim-powercut-");
            try
            {
                ScenarioBench bench = await ScenarioBench.BuildAsync(scenario, root.FullName, cancel).ConfigureAwait(false);
                if (parse.GetValue(listWrites))
                {
                    Campaign recorded = await Campaign.PrepareAsync(bench, options, cancel).ConfigureAwait(false);
                    foreach (RecordedWrite w in recorded.Writes())
                    {
                        await context.Output.WriteLineAsync($"{w.Index,6} {w.Entry.Kind.ToString().ToLowerInvariant(),-7} {w.Partition ?? "-",-13} {(w.Entry.Kind == BlockDevice.Logging.WriteLogEntryKind.Flush ? "" : $"@{w.Offset} {w.Entry.SectorCount} sectors{((w.Entry.Flags & BlockDevice.WriteFlags.ForceUnitAccess) != 0 ? " fua" : "")}"),-26} {w.Step} #{w.IndexInStep}").ConfigureAwait(false);
                    }

                    return ExitCodes.Success;
                }

                if (replayPoint is not null)
                {
                    return await ReplayAsync(context, bench, options, replayPoint, parse.GetValue(json), cancel).ConfigureAwait(false);
                }

                CampaignReport result = await RunAsync(context, bench, options, parse.GetValue(json), cancel).ConfigureAwait(false);
                await WriteReportsAsync(context, result, path, parse.GetValue(json), parse.GetValue(report), parse.GetValue(junit)).ConfigureAwait(false);
                return result.Failures.Any() ? ExitCodes.Failure : ExitCodes.Success;
            }
            finally
            {
                root.Delete(recursive: true);
            }
        });

        command.Subcommands.Add(CreateMerge(context));
        return command;
    }

    private static Command CreateMerge(CliContext context)
    {
        var merge = new Command("merge", "Merge the JSON reports of a campaign's shards (--report of each) into the whole campaign's report: same states, same digest as one unsharded run.");
        var reports = new Argument<string[]>("REPORT") { Description = "The shard reports, one per shard 0 to N-1.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the merged report as JSON." };
        var junit = new Option<string?>("--junit") { Description = "Also write the merged report as JUnit XML to FILE." };
        var report = new Option<string?>("--report") { Description = "Also write the merged JSON report to FILE." };
        merge.Arguments.Add(reports);
        merge.Options.Add(json);
        merge.Options.Add(junit);
        merge.Options.Add(report);
        CliAction.Set(merge, context, async (parse, cancel) =>
        {
            CampaignReport merged;
            try
            {
                merged = CampaignReport.Merge(parse.GetValue(reports)!.Select(CampaignReport.Load).ToArray());
            }
            catch (ArgumentException e)
            {
                throw new CommandFailedException($"powercut merge: {e.Message}", ExitCodes.Failure);
            }

            await WriteReportsAsync(context, merged, merged.Scenario + ".json", parse.GetValue(json), parse.GetValue(report), parse.GetValue(junit)).ConfigureAwait(false);
            return merged.Failures.Any() ? ExitCodes.Failure : ExitCodes.Success;
        });
        return merge;
    }

    private static Dictionary<string, string> Variables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return variables;
    }

    private static async Task<CampaignReport> RunAsync(CliContext context, ScenarioBench bench, CampaignOptions options, bool json, CancellationToken cancel)
    {
        if (context.Terminal is null || json)
        {
            Campaign plain = await Campaign.PrepareAsync(bench, options, cancel).ConfigureAwait(false);
            return await plain.RunAsync(cancel).ConfigureAwait(false);
        }

        CampaignReport? result = null;
        await context.Terminal.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                ProgressTask bar = progress.AddTask($"recording {bench.Scenario.Name}", maxValue: 1);
                var live = new Progress<CampaignProgress>(p =>
                {
                    bar.MaxValue = p.Total;
                    bar.Value = p.Done;
                    bar.Description = $"{p.Done}/{p.Total} states, {p.StatesPerSecond:0} /s; {Counts(p.ByKind, CampaignReport.Name)}; {Counts(p.ByClass, CampaignReport.Name)}; {p.Failures} failed";
                });
                Campaign campaign = await Campaign.PrepareAsync(bench, options with { Progress = live }, cancel).ConfigureAwait(false);
                result = await campaign.RunAsync(cancel).ConfigureAwait(false);
                bar.Value = bar.MaxValue;
            }).ConfigureAwait(false);
        return result!;
    }

    private static string Counts<T>(IReadOnlyDictionary<T, int> counts, Func<T, string> name) where T : notnull =>
        string.Join(", ", counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => $"{name(c.Key)} {c.Value}"));

    private static async Task WriteReportsAsync(CliContext context, CampaignReport result, string scenarioFile, bool json, string? reportPath, string? junitPath)
    {
        byte[] reportJson = StrictJson.Write(result.WriteJson);
        if (reportPath is not null)
        {
            using AtomicFile file = AtomicFile.Create(reportPath);
            await file.Stream.WriteAsync(reportJson).ConfigureAwait(false);
            file.Commit();
        }

        if (junitPath is not null)
        {
            using AtomicFile file = AtomicFile.Create(junitPath);
            result.WriteJUnit(file.Stream, scenarioFile);
            file.Commit();
        }

        if (json)
        {
            await context.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(reportJson)).ConfigureAwait(false);
        }
        else
        {
            await context.Output.WriteLineAsync(Summary(result)).ConfigureAwait(false);
        }

        foreach (CrashOutcome failure in result.Failures.Take(ListedFailures))
        {
            await context.Error.WriteLineAsync($"recoverysim: {result.Scenario}: crash state {failure.Id} ({CampaignReport.Name(failure.Class)}): {failure.Failure}; replay: recoverysim powercut {scenarioFile} --seed {result.Seed} --replay {failure.Id}").ConfigureAwait(false);
        }

        if (result.Shrunk is not null)
        {
            await context.Error.WriteLineAsync($"recoverysim: {result.Scenario}: smallest failing crash state {result.Shrunk}; replay: recoverysim powercut {scenarioFile} --seed {result.Seed} --replay {result.Shrunk}").ConfigureAwait(false);
        }
    }

    /// <summary>The human summary of a report.</summary>
    internal static string Summary(CampaignReport r) => string.Join('\n',
        $"campaign {r.Scenario} ({r.Mode}{(r.Samples is int n ? $" {n}" : "")}, depth {r.Depth}, seed {r.Seed}, shard {r.Shard}): {r.DiskWrites} disk and {r.RpmbWrites} RPMB writes recorded",
        $"states explored: {r.Outcomes.Count} ({Counts(r.ByKind, CampaignReport.Name)}) in {r.ElapsedSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {r.StatesPerSecond.ToString("0", CultureInfo.InvariantCulture)} states/s with {r.Jobs} jobs",
        $"outcomes: {Counts(r.ByClass, CampaignReport.Name)}",
        $"baseline (no cut): {CampaignReport.Name(r.Baseline.Class)}, slot {r.Baseline.Slot ?? "none"}, release {r.Baseline.Release ?? "none"}",
        $"failures: {r.Failures.Count()}",
        $"digest: {r.Digest}");

    private static async Task<int> ReplayAsync(CliContext context, ScenarioBench bench, CampaignOptions options, CrashPoint point, bool json, CancellationToken cancel)
    {
        Campaign campaign = await Campaign.PrepareAsync(bench, options, cancel).ConfigureAwait(false);
        CrashOutcome outcome;
        IReadOnlyList<TimelineEntry> timeline;
        try
        {
            (outcome, timeline) = await campaign.ReplayAsync(point, cancel).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CommandFailedException($"--replay: {e.Message}", ExitCodes.Failure);
        }

        if (json)
        {
            await context.Output.WriteLineAsync(StrictJson.WriteString(w =>
            {
                w.WriteStartObject();
                outcome.WriteFields(w);
                TimelineEntry.WriteArray(w, "timeline", timeline);
                w.WriteEndObject();
            }, indented: false)).ConfigureAwait(false);
        }
        else
        {
            await ScenarioCommands.WriteTimelineAsync(context.Output, timeline).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"crash state {outcome.Id} ({CampaignReport.Name(outcome.Kind)}): {CampaignReport.Name(outcome.Class)}, slot {outcome.Slot ?? "none"}, release {outcome.Release ?? "none"}, {outcome.Boots} power-ons").ConfigureAwait(false);
        }

        if (outcome.Failure is not null)
        {
            await context.Error.WriteLineAsync($"recoverysim: crash state {outcome.Id}: {outcome.Failure}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }
}
