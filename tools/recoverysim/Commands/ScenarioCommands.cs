using System.CommandLine;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim scenario run FILE [--seed S] [--json]</c>: builds the scenario's bench (keys,
/// releases, the factory-flashed board, in memory), runs its steps and checks its expectations;
/// prints the timeline. Exit 0 only when every expectation held.
/// </summary>
public static class ScenarioCommands
{
    /// <summary>Builds the <c>scenario</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var group = new Command("scenario", "Brick scenarios (docs/SCENARIOS.md): describe one in JSON, replay it from a seed.");
        var run = new Command("run", "Run a scenario file: build its keys, releases and board in memory, run its steps (updates, corruption, power cuts, power-ons, sources up and down) and check its expectations. Prints the timeline; exit 0 only when every expectation held.");
        var file = new Argument<string>("FILE") { Description = "The scenario file (JSON; schema scenarios/scenario.schema.json)." };
        var seed = new Option<long>("--seed") { Description = "Seed of everything random in the run (lossy links, generated power-cut points, bit flips). Default 1.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: scenario, seed, passed, checks, last_power_on, timeline." };
        run.Arguments.Add(file);
        run.Options.Add(seed);
        run.Options.Add(json);
        CliAction.Set(run, context, async (parse, cancel) =>
        {
            Scenario scenario = ScenarioFile.Load(parse.GetValue(file)!);
            DirectoryInfo root = Directory.CreateTempSubdirectory("recoverysim-scenario-");
            ScenarioResult result;
            try
            {
                ScenarioBench bench = await ScenarioBench.BuildAsync(scenario, root.FullName, cancel).ConfigureAwait(false);
                result = await ScenarioRunner.RunAsync(bench, parse.GetValue(seed), cancel).ConfigureAwait(false);
            }
            finally
            {
                root.Delete(recursive: true);
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(StrictJson.WriteString(result.WriteJson, indented: false)).ConfigureAwait(false);
            }
            else
            {
                await WriteTimelineAsync(context.Output, result.Timeline).ConfigureAwait(false);
                int held = result.Checks.Count(c => c.Held);
                await context.Output.WriteLineAsync($"scenario {result.Scenario} (seed {result.Seed}): {held} of {result.Checks.Count} expectations held").ConfigureAwait(false);
            }

            foreach (ExpectationCheck check in result.Checks.Where(c => !c.Held))
            {
                await context.Error.WriteLineAsync($"recoverysim: {scenario.Name}: {check.Step}.{check.Field}: expected {check.Expected}, found {check.Found}").ConfigureAwait(false);
            }

            if (result.Checks.Count == 0)
            {
                await context.Error.WriteLineAsync($"recoverysim: {scenario.Name}: the scenario has no expect step, so nothing was checked").ConfigureAwait(false);
            }

            return result.Passed ? ExitCodes.Success : ExitCodes.Failure;
        });
        group.Subcommands.Add(run);
        return group;
    }

    /// <summary>Prints a timeline, one event a line: seconds since its start, step, kind, message.</summary>
    internal static async Task WriteTimelineAsync(TextWriter output, IReadOnlyList<TimelineEntry> timeline)
    {
        if (timeline.Count == 0)
        {
            return;
        }

        DateTimeOffset start = timeline[0].Event.Time;
        foreach (TimelineEntry entry in timeline)
        {
            await output.WriteLineAsync($"[{(entry.Event.Time - start).TotalSeconds,9:0.000}] {entry.Step,-13} {entry.Event.Kind.Name,-27} {entry.Event.Message}").ConfigureAwait(false);
        }
    }
}
