using System.CommandLine;
using System.Reflection;

namespace RecoverySim.Cli;

/// <summary>The <c>recoverysim</c> command tree (DESIGN.md "Command line").</summary>
public static class RecoverySimCli
{
    /// <summary>Builds the root command with every subcommand bound to <paramref name="context"/>.</summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("RecoverySim: a bootloader and recovery-mode simulator with golden-image fallback.");
        // Each group of commands lives in Commands/<Group>Commands.cs and is added here.
        foreach (Command command in new Command[]
        {
            Commands.ServeCommand.Create(context),
            Commands.UpdateServerCommand.Create(context),
            Commands.UpdateCommand.Create(context),
            Commands.TftpCommands.Create(context),
            Commands.KeysCommands.Create(context),
            Commands.ImageCommands.Create(context),
            Commands.BoardCommands.Create(context),
            Commands.BootCommand.Create(context),
            Commands.DemoCommand.Create(context),
            Commands.UsbCommands.Create(context),
            Commands.ScenarioCommands.Create(context),
            Commands.PowerCutCommands.Create(context),
            Commands.BenchCommands.Create(context),
            Commands.WebCommand.Create(context),
        })
        {
            root.Subcommands.Add(command);
        }

        foreach (Command command in Commands.ReferenceCommands.Create(context, () => root))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancel = default)
    {
        RootCommand root = Build(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One clear line, not a page of help (run with --help for that).
            await context.Error.WriteLineAsync($"recoverysim: {parse.Errors[0].Message} (see 'recoverysim --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = context.Output, Error = context.Error };
        if (parse.CommandResult.Command is SignalHandlingCommand)
        {
            invocation.ProcessTerminationTimeout = null;
        }

        return await parse.InvokeAsync(invocation, cancel).ConfigureAwait(false);
    }

    /// <summary>The informational version printed by <c>--version</c>.</summary>
    public static string Version =>
        typeof(RecoverySimCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
