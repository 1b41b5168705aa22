using System.CommandLine;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Updates;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim update DIR [--server URL] [--poll] [--approve] [--now TIME] [--json]</c>: the
/// board's update agent (docs/UPDATES.md), once or polling on the simulated clock. Exit 0 when the
/// board is up to date, waits by its policy, or installed the update; 1 when the update was
/// refused, failed or rolled back.
/// </summary>
public static class UpdateCommand
{
    /// <summary>Builds the <c>update</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("update",
            "Run the board's update agent: fetch and verify the signed update index, and when board.json's policy allows (Wi-Fi only, maintenance window, approval) download the delta or full package with resume, install it into the other slot, reboot, and report installed or rolled back to the server.");
        var dir = new Argument<string>("DIR") { Description = "The board directory (board create; profile ab)." };
        var server = new Option<string?>("--server") { Description = "The update server's base URL (http://HOST:PORT), instead of board.json update.server." };
        var poll = new Option<bool>("--poll") { Description = "Check again at board.json's poll interval (or when the maintenance window opens) on the simulated clock, until an update is installed or rolled back, or --max-checks checks ran." };
        var maxChecks = NumericOptions.Integer("--max-checks", "With --poll: the most checks (1-10000).", 1, 10000, 48);
        var approve = new Option<bool>("--approve") { Description = "Approve the release on offer (for a board whose update.require_approval is true)." };
        var now = new Option<string?>("--now") { Description = "The simulated clock's start (UTC, yyyy-MM-ddTHH:mm:ssZ); default the real time." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: status, detail, reason, package, download, install, next_check and events." };
        command.Arguments.Add(dir);
        foreach (Option option in (Option[])[server, poll, maxChecks, approve, now, json])
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string directory = parse.GetValue(dir)!;
            Uri? serverUrl = null;
            if (parse.GetValue(server) is { } text)
            {
                serverUrl = UpdatePolicy.IsServer(text) ? new Uri(text) : throw new CommandFailedException($"--server '{text}': expected an absolute http or https URL without user info, query or fragment", ExitCodes.Usage);
            }

            DateTimeOffset start = context.Time.GetUtcNow();
            if (parse.GetValue(now) is { } nowText)
            {
                start = UtcTimestamp.TryParse(nowText, out DateTimeOffset t) ? t : throw new CommandFailedException($"--now '{nowText}': expected {UtcTimestamp.Rule}", ExitCodes.Usage);
            }

            bool asJson = parse.GetValue(json);
            var events = new List<BootEvent>();
            UpdateCheckResult result = await BoardUpdateRun.RunAsync(directory, new BoardUpdateRunOptions
            {
                Server = serverUrl,
                Approve = parse.GetValue(approve),
                MaxChecks = parse.GetValue(poll) ? parse.GetValue(maxChecks) : null,
                Start = start,
                Observer = e =>
                {
                    events.Add(e);
                    if (!asJson)
                    {
                        context.Output.WriteLine($"{UtcTimestamp.Format(e.Time)} {e.Kind.Name}: {e.Message}");
                    }
                },
            }, cancel).ConfigureAwait(false);

            if (asJson)
            {
                context.Output.WriteLine(StrictJson.WriteString(w => result.WriteJson(w, events), indented: true));
            }
            else
            {
                context.Output.WriteLine($"update: {UpdateStatusNames.Name(result.Status)}: {result.Detail}");
            }

            return UpdateStatusNames.IsFailure(result.Status) ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
