namespace RecoverySim.Cli;

/// <summary>
/// A command could not do what it says, for a reason the user can act on (bad flag value,
/// missing file). The message is printed as the one error line.
/// </summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(string message, int exitCode = ExitCodes.Failure)
        : base(message) => ExitCode = exitCode;

    public CommandFailedException(string message, Exception inner, int exitCode = ExitCodes.Failure)
        : base(message, inner) => ExitCode = exitCode;

    /// <summary>The process exit code to use.</summary>
    public int ExitCode { get; }
}
