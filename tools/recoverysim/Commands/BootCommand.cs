using System.CommandLine;
using System.Text;
using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim boot DIR [--tftp HOST[:PORT]/FILE] [--usb STICK] [--file GOLDEN] [--health ...] [--json]</c>:
/// the whole power-on of a board (DESIGN.md "Boot flow", "Recovery mode"): the bootloader, recovery
/// mode when no slot can boot (or recovery is requested, or the boot limit is reached), the reset
/// and the OS health check. Exit 0 when the board ends running a verified slot (<c>booted</c> or
/// <c>recovered</c>); <c>bricked</c> exits 1.
/// </summary>
public static class BootCommand
{
    /// <summary>Builds the <c>boot</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("boot", "Power the board on: choose a slot, spend a try, verify its partitions and start the simulated OS; when nothing can boot, enter recovery mode, fetch a signed golden image (TFTP, USB stick, file), reflash, reset and boot again. Prints the timeline; exit 0 when the board ends running a verified slot.");
        var dir = new Argument<string>("DIR") { Description = "The board directory (board create)." };
        var sources = new RecoverySourceOptions(
            "Recovery fetches the golden image FILE from this TFTP server (HOST[:PORT]/FILE) instead of board.json's sources.",
            "Recovery reads the golden image from this USB stick (an image file or a block device) instead of board.json's sources.",
            "Recovery reads this local golden image instead of board.json's sources.",
            absolutePaths: true);
        var health = new Option<string?>("--health") { Description = "How the simulated OS behaves: healthy, hang or crash-after=N (seconds, simulated). Default: board.json simulation.os_health." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: outcome, slot, release, version, recovery_reason, os, marked_successful, events, power_ons and recovery (source, bytes, failed sources)." };
        command.Arguments.Add(dir);
        sources.AddTo(command);
        command.Options.Add(health);
        command.Options.Add(json);
        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string? healthText = parse.GetValue(health);
            OsHealth? chosen = null;
            if (healthText is not null)
            {
                chosen = OsHealth.TryParse(healthText, out OsHealth parsed) ? parsed
                    : throw new CommandFailedException($"--health: expected healthy, hang or crash-after=N, found '{healthText}'", ExitCodes.Usage);
            }

            PowerOnResult result;
            using (Board board = Board.Open(parse.GetValue(dir)!))
            {
                RecoveryConfig? overrides = sources.AnyGiven(parse) ? sources.Apply(parse, new RecoveryConfig { Order = [], Tftp = null, Usb = null }) : null;
                IReadOnlyList<GoldenImageSource> golden = RecoverySources.For(board, overrides, context.Time);
                OsHealth os = chosen ?? board.Config.OsHealth;
                bool bars = context.Terminal is not null && !parse.GetValue(json);
                result = bars
                    ? await RunWithBarsAsync(context.Terminal!, board, golden, context.Time, os, cancel).ConfigureAwait(false)
                    : await new PowerOnSequence(board, golden, context.Time).RunAsync(os, cancel).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ToJson(result)).ConfigureAwait(false);
            }
            else
            {
                foreach (BootEvent e in result.Events)
                {
                    await context.Output.WriteLineAsync($"[{(e.Time - result.Events[0].Time).TotalSeconds,8:0.000}] {e.Kind.Name,-24} {e.Message}").ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync(Summary(result)).ConfigureAwait(false);
            }

            if (!result.Healthy)
            {
                await context.Error.WriteLineAsync(Failure(result)).ConfigureAwait(false);
            }

            return result.Healthy ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The result as one indented JSON object.</summary>
    public static string ToJson(PowerOnResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return StrictJson.WriteString(result.WriteJson);
    }

    private static async Task<PowerOnResult> RunWithBarsAsync(IAnsiConsole terminal, Board board, IReadOnlyList<GoldenImageSource> golden, TimeProvider time, OsHealth os, CancellationToken cancel)
    {
        PowerOnResult result = null!;
        await terminal.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = new Dictionary<(string, string), ProgressTask>();
                var bars = new SyncProgress<RecoveryProgress>(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue((p.Step, p.Partition), out ProgressTask? task))
                        {
                            task = progress.AddTask($"{p.Step,-8} {p.Partition}", autoStart: true, maxValue: Math.Max(1, p.Total));
                            tasks[(p.Step, p.Partition)] = task;
                        }

                        task.Value = p.Done;
                    }
                });
                result = await new PowerOnSequence(board, golden, time, new RecoveryOptions { Progress = bars }).RunAsync(os, cancel).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    private static string Summary(PowerOnResult result)
    {
        BootResult boot = result.LastBoot;
        string booted = $"slot {boot.Slot}, release {boot.Release}, version {boot.Version}; OS {BootOutcomeNames.Kebab(boot.Os ?? OsOutcome.Running)}{(boot.MarkedSuccessful ? ", marked successful" : ", not marked successful")}";
        return result.Outcome switch
        {
            BootOutcome.Recovered => $"outcome: recovered from {result.Recovery!.Source} ({result.Recovery.BytesFetched} bytes fetched), booted {booted}",
            BootOutcome.Booted when result.Recovery is { Completed: false } => $"outcome: booted {booted} (recovery failed; the remaining slot booted)",
            BootOutcome.Booted => $"outcome: booted {booted}",
            _ => $"outcome: {BootOutcomeNames.Name(result.Outcome)} ({BootOutcomeNames.Kebab(boot.RecoveryReason)})",
        };
    }

    private static string Failure(PowerOnResult result)
    {
        if (result.Recovery is null)
        {
            return $"boot: {BootOutcomeNames.Name(result.Outcome)}: {BootOutcomeNames.Kebab(result.LastBoot.RecoveryReason)}";
        }

        var text = new StringBuilder($"boot: bricked: no slot can boot and recovery failed");
        foreach (SourceFailure failure in result.Recovery.Failures)
        {
            text.Append($"{Environment.NewLine}  {failure.Source} (attempt {failure.Attempt}): {failure.Reason}");
        }

        return text.ToString();
    }
}
