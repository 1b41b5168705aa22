using System.CommandLine;
using RecoverySim.Cli.Reference;

namespace RecoverySim.Cli.Commands;

/// <summary>Hidden commands that print what scripts/install.sh installs beside the binary: the man page and the shell completions, from the command tree.</summary>
public static class ReferenceCommands
{
    /// <summary>Builds <c>recoverysim man</c> and <c>recoverysim completions bash|zsh</c> (both hidden from help).</summary>
    public static IEnumerable<Command> Create(CliContext context, Func<RootCommand> root)
    {
        var man = new Command("man", "Print the man page recoverysim(1) in roff, generated from the command tree.") { Hidden = true };
        CliAction.Set(man, context, async (_, _) =>
        {
            await context.Output.WriteAsync(ManPage.Write(root(), RecoverySimCli.Version)).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        var completions = new Command("completions", "Print a shell completion script, generated from the command tree.") { Hidden = true };
        var shell = new Argument<string>("shell") { Description = "bash or zsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        completions.Arguments.Add(shell);
        CliAction.Set(completions, context, async (parse, _) =>
        {
            await context.Output.WriteAsync(parse.GetValue(shell) == "zsh" ? ShellCompletions.Zsh(root()) : ShellCompletions.Bash(root())).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return [man, completions];
    }
}
