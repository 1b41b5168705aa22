using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
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
        var blockSize = new Option<int?>("--blksize") { Description = "Ask for this block size, 8-65464 (RFC 2348). Default: none (512)." };
        var windowSize = new Option<int?>("--windowsize") { Description = "Ask for this window size, 1-65535 (RFC 7440). Default: none (lockstep)." };
        var timeout = new Option<double>("--timeout") { Description = "Retransmission timeout in seconds, up to 255.", DefaultValueFactory = _ => 1.0 };
        var retries = new Option<int>("--retries") { Description = "Retransmissions before giving up, 0-1000.", DefaultValueFactory = _ => 5 };
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
            maxSize = new Option<long>("--max-size") { Description = "The most bytes to accept (a server sending endless data is stopped).", DefaultValueFactory = _ => 16L << 30 };
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
                BlockSize = CheckRange(parse.GetValue(blockSize), 8, 65464, "--blksize"),
                WindowSize = CheckRange(parse.GetValue(windowSize), 1, 65535, "--windowsize"),
                Timeout = CheckTimeout(parse.GetValue(timeout)),
                MaxRetries = CheckRange(parse.GetValue(retries), 0, 1000, "--retries")!.Value,
                MaxTransferSize = maxSize is null ? 16L << 30 : CheckMaxSize(parse.GetValue(maxSize)),
                Mode = parse.GetValue(netascii) ? TftpMode.Netascii : TftpMode.Octet,
                ReceiveSpin = CheckReceiveSpin(parse.GetValue(receiveSpin)),
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

        // Receive into a temporary file beside OUT; rename only when complete, so a failure
        // never leaves a partial OUT nor damages an existing one.
        string temporary = Path.Join(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tftp-part");
        bool done = false;
        try
        {
            TftpTransferResult result;
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 128 * 1024);
            await using (stream.ConfigureAwait(false))
            {
                result = await WithProgressAsync(context, $"get {remote}", progress =>
                    client.GetAsync(server, remote, stream, progress, cancel)).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            done = true;
            return result;
        }
        finally
        {
            if (!done)
            {
                File.Delete(temporary);
            }
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

    internal static int? CheckRange(int? value, int min, int max, string flag) =>
        value is { } v && (v < min || v > max)
            ? throw new CommandFailedException($"{flag} is {v}, expected {min} to {max}", ExitCodes.Usage)
            : value;

    /// <summary>The --receive-spin-us flag that <c>serve</c> and <c>tftp get/put</c> share.</summary>
    internal static Option<int> ReceiveSpinOption() => new("--receive-spin-us")
    {
        Description = $"Poll the socket this many microseconds before sleeping for a packet, 0-{TftpLimits.MaxReceiveSpinMicroseconds} (0: never poll).",
        DefaultValueFactory = _ => 100,
    };

    internal static TimeSpan CheckReceiveSpin(int microseconds) =>
        TimeSpan.FromMicroseconds(CheckRange(microseconds, 0, TftpLimits.MaxReceiveSpinMicroseconds, "--receive-spin-us")!.Value);

    internal static TimeSpan CheckTimeout(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= 255
            ? TimeSpan.FromSeconds(seconds)
            : throw new CommandFailedException($"--timeout is {seconds.ToString(CultureInfo.InvariantCulture)}, expected more than 0 and at most 255 seconds", ExitCodes.Usage);

    private static long CheckMaxSize(long value) =>
        value >= 0 ? value : throw new CommandFailedException($"--max-size is {value}, expected 0 or more bytes", ExitCodes.Usage);

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
