using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RecoverySim.BlockDevice.Files;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary><c>recoverysim tftp get|put</c>: the TFTP client (DESIGN.md "Command line").</summary>
public static class TftpCommands
{
    /// <summary>Builds the <c>tftp</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var tftp = new Command("tftp", "TFTP client: read (get) or write (put) a file on a TFTP server.");
        tftp.Subcommands.Add(CreateTransfer(context, TftpOperation.Read));
        tftp.Subcommands.Add(CreateTransfer(context, TftpOperation.Write));
        return tftp;
    }

    private static Command CreateTransfer(CliContext context, TftpOperation operation)
    {
        bool read = operation == TftpOperation.Read;
        var command = new Command(read ? "get" : "put", read
            ? "Read FILE from the server into OUT (written only when complete: a failure leaves OUT untouched)."
            : "Write the local file IN to the server as FILE.");
        var host = new Argument<string>("HOST[:PORT]") { Description = "The server: 127.0.0.1, 127.0.0.1:6969, [::1]:6969, a host name; port 69 by default." };
        var file = new Argument<string>("FILE") { Description = "The file name on the server." };
        var local = read
            ? new Option<string>("--output", "-o") { Description = "Where to store the file.", Required = true }
            : new Option<string>("--input", "-i") { Description = "The local file to send.", Required = true };
        var blockSize = NumericOptions.OptionalInteger("--blksize", "Ask for this block size, 8-65464 (RFC 2348). Default: none (512).", TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize);
        var windowSize = NumericOptions.OptionalInteger("--windowsize", "Ask for this window size, 1-65535 (RFC 7440). Default: none (lockstep).", TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize);
        var timeout = NumericOptions.Seconds("--timeout", "Retransmission timeout in seconds, up to 255.", TftpLimits.MaxTimeoutSeconds, 1.0);
        var retries = NumericOptions.Integer("--retries", "Retransmissions before giving up, 0-1000.", 0, 1000, 5);
        var netascii = new Option<bool>("--netascii") { Description = "Netascii mode (text: LF <-> CR LF) instead of octet." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        command.Arguments.Add(host);
        command.Arguments.Add(file);
        command.Options.Add(local);
        command.Options.Add(blockSize);
        command.Options.Add(windowSize);
        command.Options.Add(timeout);
        command.Options.Add(retries);
        Option<long>? maxSize = null;
        if (read)
        {
            maxSize = NumericOptions.Long("--max-size", "The most bytes to accept (a server sending endless data is stopped).", 0, long.MaxValue, 16L << 30);
            command.Options.Add(maxSize);
        }

        var receiveSpin = ReceiveSpinOption();
        command.Options.Add(receiveSpin);
        command.Options.Add(netascii);
        command.Options.Add(json);

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            IPEndPoint server = TftpEndPointArgument.Resolve(TftpEndPointArgument.Parse(parse.GetValue(host)!, "HOST[:PORT]"));
            string remote = parse.GetValue(file)!;
            string path = parse.GetValue(local)!;
            var options = new TftpClientOptions
            {
                BlockSize = parse.GetValue(blockSize),
                WindowSize = parse.GetValue(windowSize),
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                MaxRetries = parse.GetValue(retries),
                MaxTransferSize = maxSize is null ? 16L << 30 : parse.GetValue(maxSize),
                Mode = parse.GetValue(netascii) ? TftpMode.Netascii : TftpMode.Octet,
                ReceiveSpin = TimeSpan.FromMicroseconds(parse.GetValue(receiveSpin)),
            };
            if (remote.Length == 0 || remote.Contains('\0', StringComparison.Ordinal))
            {
                throw new CommandFailedException("FILE is empty or contains a NUL character", ExitCodes.Usage);
            }

            var client = new TftpClient(options, context.Time);
            TftpTransferResult result = read
                ? await GetAsync(context, client, server, remote, path, cancel).ConfigureAwait(false)
                : await PutAsync(context, client, server, remote, path, cancel).ConfigureAwait(false);
            await Report(context, parse.GetValue(json), read, server, remote, path, result).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<TftpTransferResult> GetAsync(CliContext context, TftpClient client, IPEndPoint server, string remote, string output, CancellationToken cancel)
    {
        string full = Path.GetFullPath(output);
        if (Directory.Exists(full))
        {
            throw new CommandFailedException($"--output '{output}' is a directory; name a file");
        }

        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new CommandFailedException($"--output '{output}': directory '{directory}' does not exist");
        }

        // Receive into an atomic file beside OUT: a failure never leaves a partial OUT nor damages
        // an existing one (docs/FORMAT.md, "Order of writes (atomic files)").
        AtomicFile file = AtomicFile.Create(full, overwrite: true, bufferSize: 128 * 1024);
        await using (file.ConfigureAwait(false))
        {
            TftpTransferResult result = await WithProgressAsync(context, $"get {remote}", progress =>
                client.GetAsync(server, remote, file.Stream, progress, cancel)).ConfigureAwait(false);
            await file.CommitAsync(cancel).ConfigureAwait(false);
            return result;
        }
    }

    private static async Task<TftpTransferResult> PutAsync(CliContext context, TftpClient client, IPEndPoint server, string remote, string input, CancellationToken cancel)
    {
        if (!File.Exists(input))
        {
            throw new CommandFailedException($"--input '{input}' does not exist or is not a file");
        }

        var stream = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 128 * 1024, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return await WithProgressAsync(context, $"put {remote}", progress =>
                client.PutAsync(server, remote, stream, progress, cancel)).ConfigureAwait(false);
        }
    }

    private static async Task<TftpTransferResult> WithProgressAsync(CliContext context, string title, Func<IProgress<TftpProgress>?, Task<TftpTransferResult>> run)
    {
        if (context.Terminal is not { } terminal)
        {
            return await run(null).ConfigureAwait(false);
        }

        TftpTransferResult result = default;
        await terminal.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                ProgressTask task = progressContext.AddTask(Markup.Escape(title), maxValue: 1);
                task.IsIndeterminate = true;
                result = await run(new BarProgress(task)).ConfigureAwait(false);
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);
        return result;
    }

    private static async Task Report(CliContext context, bool json, bool read, IPEndPoint server, string remote, string local, TftpTransferResult result)
    {
        if (json)
        {
            var document = new JsonObject
            {
                ["operation"] = read ? "get" : "put",
                ["server"] = server.ToString(),
                ["file"] = remote,
                ["local"] = local,
                ["bytes"] = result.Bytes,
                ["blocks"] = result.Blocks,
                ["seconds"] = result.Duration.TotalSeconds,
                ["bytes_per_second"] = result.BytesPerSecond,
                ["retransmissions"] = result.Retransmissions,
                ["blksize"] = result.Options.BlockSize,
                ["windowsize"] = result.Options.WindowSize,
                ["tsize"] = result.Options.TransferSize,
            };
            await context.Output.WriteLineAsync(CliJson.Write(document)).ConfigureAwait(false);
            return;
        }

        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{(read ? "received" : "sent")} {remote} {(read ? "from" : "to")} {server}: {result.Bytes} bytes in {result.Duration.TotalSeconds:0.000} s " +
            $"({result.BytesPerSecond / (1 << 20):0.00} MiB/s), {result.Blocks} blocks, {result.Retransmissions} retransmissions, " +
            $"blksize {result.Options.BlockSize}, windowsize {result.Options.WindowSize}")).ConfigureAwait(false);
    }

    /// <summary>The --receive-spin-us flag that <c>serve</c> and <c>tftp get/put</c> share.</summary>
    internal static Option<int> ReceiveSpinOption() => NumericOptions.Integer("--receive-spin-us",
        $"Poll the socket this many microseconds before sleeping for a packet, 0-{TftpLimits.MaxReceiveSpinMicroseconds} (0: never poll).",
        0, TftpLimits.MaxReceiveSpinMicroseconds, 100);

    private sealed class BarProgress(ProgressTask task) : IProgress<TftpProgress>
    {
        public void Report(TftpProgress value)
        {
            if (value.TotalBytes is > 0 and long total)
            {
                task.IsIndeterminate = false;
                task.MaxValue = total;
            }

            task.Value = Math.Min(value.Bytes, task.MaxValue);
        }
    }
}
