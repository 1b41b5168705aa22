namespace RecoverySim.Interop.Tests.Peers;

/// <summary>How a peer command ended.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
public readonly record struct PeerResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Exit code, stdout and stderr in one string for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}; stdout: {StandardOutput.Trim()}; stderr: {StandardError.Trim()}";
}
