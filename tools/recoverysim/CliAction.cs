using System.CommandLine;

namespace RecoverySim.Cli;

/// <summary>
/// Binds a command's handler so that every failure ends the same way: one line on standard
/// error naming what went wrong, and a non-zero exit code.
/// </summary>
public static class CliAction
{
    /// <summary>Sets <paramref name="handler"/> as the action of <paramref name="command"/>.</summary>
    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> handler)
    {
        command.SetAction(async (parse, cancel) =>
        {
            try
            {
                return await handler(parse, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("recoverysim: cancelled").ConfigureAwait(false);
                return ExitCodes.Cancelled;
            }
            catch (CommandFailedException e)
            {
                await context.Error.WriteLineAsync($"recoverysim: {OneLine(e.Message)}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (Exception e) when (IsReportable(e))
            {
                await context.Error.WriteLineAsync($"recoverysim: {OneLine(e.Message)}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
    }

    /// <summary>Synchronous variant of <see cref="Set(Command, CliContext, Func{ParseResult, CancellationToken, Task{int}})"/>.</summary>
    public static void Set(Command command, CliContext context, Func<ParseResult, int> handler) =>
        Set(command, context, (parse, _) => Task.FromResult(handler(parse)));

    // Programming errors (null references, index bugs) keep their stack trace: they are ours to
    // fix, not the user's. Everything that bad input or a bad environment can cause is reported.
    private static bool IsReportable(Exception e) => e is not (NullReferenceException or IndexOutOfRangeException
        or InvalidCastException or AccessViolationException or StackOverflowException);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
