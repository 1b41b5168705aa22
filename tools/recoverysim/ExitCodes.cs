namespace RecoverySim.Cli;

/// <summary>Process exit codes (DESIGN.md "Command line": 0 only when the operation did what it says).</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed: bad input, a rejected image, an I/O error.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong: unknown flag, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
