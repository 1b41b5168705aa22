using System.CommandLine;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim image delta</c>: a delta package from two golden images (docs/FORMAT.md
/// "Delta packages"); and, hidden, <c>image bsdiff|bspatch</c>: the raw BSDIFF40 diff and
/// patcher of the packages, file to file, so that the bench times them against Debian's
/// <c>bsdiff</c>/<c>bspatch</c> on the same files ("BSDIFF40 patches").
/// </summary>
public static class ImageDeltaCommands
{
    /// <summary><c>image delta --from OLD --to NEW --key KEY -o PACKAGE</c>.</summary>
    public static Command CreateDelta(CliContext context)
    {
        var command = new Command("delta", "Make a signed delta package from the golden image devices run (--from) to a newer one (--to): per partition a BSDIFF40 patch, or the full image when that is smaller. Both images are verified first and held in memory. The output is written under a temporary name and renamed when complete.");
        var from = new Option<string>("--from") { Description = "Golden image of the source release (what the devices run).", Required = true };
        var to = new Option<string>("--to") { Description = "Golden image of the target release.", Required = true };
        var key = new Option<string>("--key") { Description = "Private key that signed the target release (PKCS#8 PEM); it signs the package.", Required = true };
        var pubkey = new Option<string[]>("--pubkey") { Description = "Also trust this public key for the golden images (default: only --key's); repeat for several." };
        var output = new Option<string>("--output", "-o") { Description = "The delta package to write.", Required = true };
        var jobs = NumericOptions.Integer("--jobs", "Partitions diffed at the same time.", 1, 64, Environment.ProcessorCount);
        var json = new Option<bool>("--json") { Description = "Print the manifest written as JSON." };
        foreach (Option option in new Option[] { from, to, key, pubkey, output, jobs, json })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string outputPath = parse.GetValue(output)!;
            string fromPath = InputPath("--from", parse.GetValue(from)!, outputPath), toPath = InputPath("--to", parse.GetValue(to)!, outputPath);
            SigningKey signingKey = SigningKey.Load(parse.GetValue(key)!);
            string[] extra = parse.GetValue(pubkey) ?? [];
            var options = new DeltaPackageBuildOptions
            {
                Key = signingKey,
                OpenSource = () => Open("--from", fromPath),
                OpenTarget = () => Open("--to", toPath),
                TrustedKeys = new TrustedKeySet([signingKey.PublicKey, .. extra.Select(VerificationKey.Load)]),
                MaxParallelism = parse.GetValue(jobs),
                Timestamp = context.Time.GetUtcNow(),
            };

            GoldenImageManifest manifest;
            AtomicFile file = AtomicFile.Create(outputPath);
            await using (file.ConfigureAwait(false))
            {
                try
                {
                    manifest = await DeltaPackageWriter.WriteAsync(options, file.Stream, cancel).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    throw new CommandFailedException(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), e);
                }
                catch (ImageException e)
                {
                    throw new CommandFailedException($"{e.Message} (reading --from {fromPath} and --to {toPath})", e);
                }

                await file.CommitAsync(cancel).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(manifest.ToJson())).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"wrote {outputPath}: delta package from release {manifest.Source!.ReleaseId} ({manifest.Source.Version}) to {manifest.ReleaseId} ({manifest.Version}), board {string.Join(",", manifest.BoardIds)}, rollback index {manifest.RollbackIndex}, key {manifest.KeyId}").ConfigureAwait(false);
                foreach (ManifestPartition p in manifest.Partitions)
                {
                    await context.Output.WriteLineAsync($"  {p.Member,-20} {p.Delta!.Kind.ToString().ToLowerInvariant(),-5} {p.CompressedSize,12} bytes for a {p.Size}-byte image (source {p.Delta.SourceSize} bytes, sha256 {p.Delta.SourceSha256})").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string InputPath(string flag, string path, string output)
    {
        if (!File.Exists(path))
        {
            throw new CommandFailedException($"{flag}: golden image '{path}' does not exist");
        }

        return Path.GetFullPath(path) == Path.GetFullPath(output) ? throw new CommandFailedException($"{flag}: '{path}' is also the output") : path;
    }

    private static FileStream Open(string flag, string path) =>
        File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan)
            : throw new CommandFailedException($"{flag}: golden image '{path}' does not exist");

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
