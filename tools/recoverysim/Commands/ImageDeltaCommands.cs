using System.CommandLine;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage.Delta;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim image bsdiff|bspatch</c> (hidden): the raw BSDIFF40 diff and patcher of the
/// delta packages, file to file, so that the bench times them against Debian's
/// <c>bsdiff</c>/<c>bspatch</c> on the same files (docs/FORMAT.md "BSDIFF40 patches").
/// </summary>
public static class ImageDeltaCommands
{
    /// <summary><c>image bsdiff OLD NEW PATCH</c>.</summary>
    public static Command CreateBsdiff(CliContext context)
    {
        var command = new Command("bsdiff", "Write a BSDIFF40 patch from OLD to NEW (the format of bsdiff(1)); both files are read into memory.") { Hidden = true };
        var old = new Argument<string>("OLD") { Description = "The old file." };
        var @new = new Argument<string>("NEW") { Description = "The new file." };
        var patch = new Argument<string>("PATCH") { Description = "The patch to write." };
        var jobs = NumericOptions.Integer("--jobs", "Threads that scan and compress.", 1, 256, Environment.ProcessorCount);
        command.Arguments.Add(old);
        command.Arguments.Add(@new);
        command.Arguments.Add(patch);
        command.Options.Add(jobs);
        CliAction.Set(command, context, async (parse, cancel) =>
        {
            byte[] oldBytes = ReadInput("OLD", parse.GetValue(old)!);
            byte[] newBytes = ReadInput("NEW", parse.GetValue(@new)!);
            AtomicFile file = AtomicFile.Create(parse.GetValue(patch)!);
            await using (file.ConfigureAwait(false))
            {
                BsDiff.Create(oldBytes, newBytes, file.Stream, new BsDiffOptions { MaxParallelism = parse.GetValue(jobs) }, cancel);
                await file.CommitAsync(cancel).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>image bspatch OLD PATCH NEW</c>.</summary>
    public static Command CreateBspatch(CliContext context)
    {
        var command = new Command("bspatch", "Apply a BSDIFF40 patch to OLD and write NEW (as bspatch(1)), streaming.") { Hidden = true };
        var old = new Argument<string>("OLD") { Description = "The old file." };
        var patch = new Argument<string>("PATCH") { Description = "The patch." };
        var @new = new Argument<string>("NEW") { Description = "The new file to write." };
        command.Arguments.Add(old);
        command.Arguments.Add(patch);
        command.Arguments.Add(@new);
        CliAction.Set(command, context, async (parse, cancel) =>
        {
            using FileStream oldStream = OpenInput("OLD", parse.GetValue(old)!);
            using FileStream patchStream = OpenInput("PATCH", parse.GetValue(patch)!);
            AtomicFile file = AtomicFile.Create(parse.GetValue(@new)!, bufferSize: 1 << 20);
            await using (file.ConfigureAwait(false))
            {
                BsPatch.Apply(patchStream, oldStream, file.Stream, long.MaxValue, Path.GetFileName(patchStream.Name), cancel);
                await file.CommitAsync(cancel).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static FileStream OpenInput(string what, string path) =>
        File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0)
            : throw new CommandFailedException($"{what}: '{path}' does not exist");

    private static byte[] ReadInput(string what, string path)
    {
        using FileStream stream = OpenInput(what, path);
        if (stream.Length > BsDiff.MaxInputLength)
        {
            throw new CommandFailedException($"{what}: '{path}' is {stream.Length} bytes, over the {BsDiff.MaxInputLength}-byte limit of the diff");
        }

        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
