using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary><c>recoverysim serve</c>: the TFTP server, until Ctrl+C (DESIGN.md "Command line").</summary>
public static class ServeCommand
{
    /// <summary>Builds the <c>serve</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("serve", "Serve a directory over TFTP until Ctrl+C: read-only unless --allow-write; a live table on a terminal, one log line per request and transfer otherwise.");
        var root = new Option<string>("--root") { Description = "The directory to serve.", Required = true };
        var address = new Option<string>("--address") { Description = "The address to listen on (IPv4 or IPv6).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = NumericOptions.Integer("--port", "The UDP port; 0 picks a free one (printed at start).", 0, 65535, 69);
        var allowWrite = new Option<bool>("--allow-write") { Description = "Accept write requests (new files only, unless --allow-overwrite)." };
        var allowOverwrite = new Option<bool>("--allow-overwrite") { Description = "Let writes replace existing files." };
        var maxTransfers = NumericOptions.Integer("--max-transfers", "Transfers at once, all clients together.", 1, 100_000, 64);
        var maxPerClient = NumericOptions.Integer("--max-transfers-per-client", "Transfers at once from one client address.", 1, 100_000, 8);
        var timeout = NumericOptions.Seconds("--timeout", "Retransmission timeout in seconds when the client asks for none.", TftpLimits.MaxTimeoutSeconds, 1.0);
        var retries = NumericOptions.Integer("--retries", "Retransmissions before a transfer is abandoned, 0-1000.", 0, 1000, 5);
        var maxBlockSize = NumericOptions.Integer("--max-blksize", "The largest blksize granted, 8-65464.", TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize, TftpLimits.MaxBlockSize);
        var maxWindowSize = NumericOptions.Integer("--max-windowsize", "The largest windowsize granted, 1-65535.", TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize, 64);
        var receiveSpin = TftpCommands.ReceiveSpinOption();
        var json = new Option<bool>("--json") { Description = "Log as JSON lines (never a live table)." };
        foreach (Option option in new Option[] { root, address, port, allowWrite, allowOverwrite, maxTransfers, maxPerClient, timeout, retries, maxBlockSize, maxWindowSize, receiveSpin, json })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string rootPath = parse.GetValue(root)!;
            if (!Directory.Exists(rootPath))
            {
                throw new CommandFailedException($"--root '{rootPath}' is not an existing directory");
            }

            string addressText = parse.GetValue(address)!;
            if (!IPAddress.TryParse(addressText.Trim('[', ']'), out IPAddress? ip))
            {
                throw new CommandFailedException($"--address '{addressText}' is not an IPv4 or IPv6 address", ExitCodes.Usage);
            }

            int portValue = parse.GetValue(port);
            var options = new TftpServerOptions
            {
                Root = rootPath,
                EndPoint = new IPEndPoint(ip, portValue),
                AllowWrite = parse.GetValue(allowWrite),
                AllowOverwrite = parse.GetValue(allowOverwrite),
                MaxTransfers = parse.GetValue(maxTransfers),
                MaxTransfersPerClient = parse.GetValue(maxPerClient),
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                MaxRetries = parse.GetValue(retries),
                MaxBlockSize = parse.GetValue(maxBlockSize),
                MaxWindowSize = parse.GetValue(maxWindowSize),
                ReceiveSpin = TimeSpan.FromMicroseconds(parse.GetValue(receiveSpin)),
            };
            if (options.AllowOverwrite && !options.AllowWrite)
            {
                throw new CommandFailedException("--allow-overwrite needs --allow-write", ExitCodes.Usage);
            }

            bool asJson = parse.GetValue(json);
            var log = new ServeLog(asJson, context.Time);
            var server = new TftpServer(options, context.Time, log);
            try
            {
                await server.StartAsync(cancel).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw new CommandFailedException($"cannot listen on {options.EndPoint}: {e.Message}");
            }

            await using (server.ConfigureAwait(false))
            {
                string mode = options.AllowWrite ? (options.AllowOverwrite ? "read-write, overwrite allowed" : "read-write, no overwrite") : "read-only";
                await context.Output.WriteLineAsync(asJson
                    ? CliJson.Write(new JsonObject { ["event"] = "listening", ["endpoint"] = server.LocalEndPoint.ToString(), ["root"] = Path.GetFullPath(rootPath), ["mode"] = mode })
                    : $"serving {Path.GetFullPath(rootPath)} on {server.LocalEndPoint} ({mode}); Ctrl+C stops").ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (context.Terminal is { } terminal && !asJson)
                {
                    await RunTableAsync(terminal, server, log, context.Time, cancel).ConfigureAwait(false);
                }
                else
                {
                    await RunLogAsync(context.Output, log, cancel).ConfigureAwait(false);
                }
            }

            await context.Output.WriteLineAsync(asJson ? CliJson.Write(new JsonObject { ["event"] = "stopped" }) : "stopped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task RunLogAsync(TextWriter output, ServeLog log, CancellationToken cancel)
    {
        try
        {
            await foreach (string line in log.Lines.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                if (log.TakeDroppedNotice() is { } notice)
                {
                    await output.WriteLineAsync(notice).ConfigureAwait(false);
                }

                await output.WriteLineAsync(line).ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl+C: the normal way to stop.
        }

        while (log.Lines.TryRead(out string? rest))
        {
            await output.WriteLineAsync(rest).ConfigureAwait(false);
        }
    }

    private static async Task RunTableAsync(IAnsiConsole terminal, TftpServer server, ServeLog log, TimeProvider time, CancellationToken cancel)
    {
        var recent = new Queue<string>();
        await terminal.Live(new Table()).StartAsync(async live =>
        {
            while (!cancel.IsCancellationRequested)
            {
                while (log.Lines.TryRead(out string? line))
                {
                    if (log.TakeDroppedNotice() is { } notice)
                    {
                        recent.Enqueue(notice);
                    }

                    recent.Enqueue(line);
                    while (recent.Count > 8)
                    {
                        recent.Dequeue();
                    }
                }

                var table = new Table().Title("TFTP transfers").AddColumns("client", "op", "file", "bytes", "of", "rate", "retrans", "blksize", "window");
                foreach (TftpTransferStatus status in server.ActiveTransfers)
                {
                    double seconds = Math.Max(status.Elapsed.TotalSeconds, 1e-3);
                    table.AddRow(
                        Markup.Escape(status.Client.ToString()),
                        status.Operation == TftpOperation.Read ? "RRQ" : "WRQ",
                        Markup.Escape(status.FileName),
                        status.Bytes.ToString(CultureInfo.InvariantCulture),
                        status.TotalBytes?.ToString(CultureInfo.InvariantCulture) ?? "?",
                        string.Create(CultureInfo.InvariantCulture, $"{status.Bytes / seconds / (1 << 20):0.0} MiB/s"),
                        status.Retransmissions.ToString(CultureInfo.InvariantCulture),
                        status.Options.BlockSize.ToString(CultureInfo.InvariantCulture),
                        status.Options.WindowSize.ToString(CultureInfo.InvariantCulture));
                }

                table.Caption(Markup.Escape(string.Join('\n', recent)));
                live.UpdateTarget(table);
                live.Refresh();
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    break;
                }
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns server events into lines, queued for the one writer (the server calls from many
    /// threads). The queue is bounded: under a flood of requests faster than the output takes
    /// them, lines beyond <see cref="Capacity"/> are dropped and counted, and the writer says how
    /// many (memory stays flat; issue 14, part 3).
    /// </summary>
    private sealed class ServeLog : ITftpLog
    {
        /// <summary>The most lines waiting for the output.</summary>
        public const int Capacity = 4096;

        private readonly bool json;
        private readonly TimeProvider time;
        private readonly Channel<string> lines;
        private long dropped;

        public ServeLog(bool json, TimeProvider time)
        {
            this.json = json;
            this.time = time;
            lines = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
                _ => Interlocked.Increment(ref dropped));
        }

        public ChannelReader<string> Lines => lines.Reader;

        /// <summary>A line saying how many lines were dropped since the last call, or null when none were.</summary>
        public string? TakeDroppedNotice()
        {
            long count = Interlocked.Exchange(ref dropped, 0);
            return count == 0 ? null
                : json ? CliJson.Write(new JsonObject { ["event"] = "log-dropped", ["time"] = time.GetUtcNow(), ["lines"] = count })
                : string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} log      {count} lines dropped: the output could not keep up");
        }

        public void Request(TftpRequestLogEntry entry)
        {
            string op = entry.Operation switch { TftpOperation.Read => "RRQ", TftpOperation.Write => "WRQ", _ => "-" };
            lines.Writer.TryWrite(json
                ? CliJson.Write(new JsonObject
                {
                    ["event"] = "request", ["time"] = time.GetUtcNow(), ["client"] = entry.Client.ToString(), ["operation"] = op, ["file"] = entry.FileName,
                    ["options"] = entry.Options, ["accepted"] = entry.Accepted, ["reason"] = entry.Reason,
                })
                : string.Create(CultureInfo.InvariantCulture,
                    $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} request  {entry.Client} {op} {Quote(entry.FileName)} [{entry.Options}] {(entry.Accepted ? "accepted" : entry.Reason)}"));
        }

        public void Transfer(TftpTransferLogEntry entry)
        {
            string op = entry.Operation == TftpOperation.Read ? "RRQ" : "WRQ";
            lines.Writer.TryWrite(json
                ? CliJson.Write(new JsonObject
                {
                    ["event"] = "transfer", ["time"] = time.GetUtcNow(), ["client"] = entry.Client.ToString(), ["operation"] = op, ["file"] = entry.FileName,
                    ["bytes"] = entry.Bytes, ["seconds"] = entry.Duration.TotalSeconds, ["bytes_per_second"] = entry.BytesPerSecond,
                    ["retransmissions"] = entry.Retransmissions, ["blksize"] = entry.Options.BlockSize, ["windowsize"] = entry.Options.WindowSize, ["error"] = entry.Error,
                })
                : string.Create(CultureInfo.InvariantCulture,
                    $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} transfer {entry.Client} {op} {Quote(entry.FileName)} {entry.Bytes} bytes {entry.Duration.TotalSeconds:0.000} s " +
                    $"{entry.BytesPerSecond / (1 << 20):0.00} MiB/s {entry.Retransmissions} retransmissions blksize {entry.Options.BlockSize} windowsize {entry.Options.WindowSize} " +
                    $"{(entry.Error is null ? "ok" : "failed: " + entry.Error)}"));
        }

        private static string Quote(string? text) => text is null ? "-" : "'" + text.Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }
}
