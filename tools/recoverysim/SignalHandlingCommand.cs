using System.CommandLine;

namespace RecoverySim.Cli;

/// <summary>
/// A command that handles SIGINT, SIGTERM and SIGHUP itself (a long-running service with a
/// graceful stop): System.CommandLine's own termination handling, which gives a command two
/// seconds before it returns, is off while it runs.
/// </summary>
public sealed class SignalHandlingCommand(string name, string description) : Command(name, description);
