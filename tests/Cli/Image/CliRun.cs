namespace RecoverySim.Cli.Tests.Image;

/// <summary>How an in-process CLI run ended.</summary>
public readonly record struct CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>The error output as lines (a failure must be exactly one).</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}; stdout: {Output.Trim()}; stderr: {Error.Trim()}";
}
