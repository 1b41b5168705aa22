using Spectre.Console;

namespace RecoverySim.Cli;

/// <summary>
/// What a command may touch outside its arguments: the output streams, a terminal for
/// progress bars (null when output is not a terminal), and the clock. Tests build one over
/// <see cref="StringWriter"/>s and run commands in-process.
/// </summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, IAnsiConsole? terminal = null, TimeProvider? time = null)
    {
        Output = output;
        Error = error;
        Terminal = terminal;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>Standard output: results, tables, JSON.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: the one-line failure message, warnings.</summary>
    public TextWriter Error { get; }

    /// <summary>A terminal for progress bars and live tables; null when stdout is redirected.</summary>
    public IAnsiConsole? Terminal { get; }

    /// <summary>The clock for everything the command times or schedules.</summary>
    public TimeProvider Time { get; }

    /// <summary>The context of a real process: console streams, a terminal when there is one.</summary>
    public static CliContext FromProcess()
    {
        IAnsiConsole? terminal = Console.IsOutputRedirected ? null : AnsiConsole.Console;
        return new CliContext(Console.Out, Console.Error, terminal, TimeProvider.System);
    }
}
