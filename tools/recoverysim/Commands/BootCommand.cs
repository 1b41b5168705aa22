using System.CommandLine;
using System.Text;
using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim boot DIR [--health healthy|hang|crash-after=N] [--json]</c>: one power-on of a
/// board (DESIGN.md "Boot flow"). Exit 0 only when a verified slot booted.
/// </summary>
public static class BootCommand
{
    /// <summary>Builds the <c>boot</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("boot", "Power the board on once: choose a slot, spend a try, verify its partitions, start the simulated OS, mark success and raise rollback indexes. Prints the boot log; exit 0 only when a slot booted.");
        var dir = new Argument<string>("DIR") { Description = "The board directory (board create)." };
        var health = new Option<string?>("--health") { Description = "How the simulated OS behaves: healthy, hang or crash-after=N (seconds, simulated). Default: board.json simulation.os_health." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: outcome, slot, release, version, recovery_reason, os, marked_successful, events." };
        command.Arguments.Add(dir);
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

            BootResult result;
            using (Board board = Board.Open(parse.GetValue(dir)!))
            {
                result = board.BootFlow(context.Time).PowerOn(chosen ?? board.Config.OsHealth);
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ToJson(result)).ConfigureAwait(false);
            }
            else
            {
                foreach (BootEvent e in result.Events)
                {
                    await context.Output.WriteLineAsync($"[{(e.Time - result.Events[0].Time).TotalSeconds,8:0.000}] {BootEventKinds.Name(e.Kind),-22} {e.Message}").ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync(Summary(result)).ConfigureAwait(false);
            }

            return result.Outcome == BootOutcome.Booted ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The result as one indented JSON object.</summary>
    public static string ToJson(BootResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return StrictJson.WriteString(result.WriteJson);
    }

    private static string Summary(BootResult result) => result.Outcome switch
    {
        BootOutcome.Booted => $"outcome: booted slot {result.Slot}, release {result.Release}, version {result.Version}; OS {BootOutcomeNames.Kebab(result.Os ?? OsOutcome.Running)}{(result.MarkedSuccessful ? ", marked successful" : ", not marked successful")}",
        _ => $"outcome: {BootOutcomeNames.Name(result.Outcome)} ({BootOutcomeNames.Kebab(result.RecoveryReason)})",
    };
}
