using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using RecoverySim.Cli.Service;
using RecoverySim.Lab.Serving;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary><c>recoverysim serve</c>: the TFTP server, until Ctrl+C or SIGTERM, as a systemd service too (DESIGN.md "Command line").</summary>
public static class ServeCommand
{
    /// <summary>Builds the <c>serve</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new SignalHandlingCommand("serve",
            "Serve a directory over TFTP until Ctrl+C or SIGTERM: read-only unless --allow-write; a live table on a terminal, one log line per request and transfer otherwise. " +
            "Takes a socket from systemd socket activation, reports to sd_notify, reloads --config on SIGHUP.");
        var config = new Option<string>("--config") { Description = "A configuration file (docs/FORMAT.md, \"Server configuration file\"); it replaces the other server flags and is read again on SIGHUP." };
        var root = new Option<string>("--root") { Description = "The directory to serve (required unless --config)." };
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
        var metrics = new Option<string>("--metrics") { Description = "Serve Prometheus metrics over HTTP at ADDRESS:PORT (path /metrics), e.g. 127.0.0.1:9464." };
        var json = new Option<bool>("--json") { Description = "Log as JSON lines (never a live table)." };
        Option[] serverFlags = [root, address, port, allowWrite, allowOverwrite, maxTransfers, maxPerClient, timeout, retries, maxBlockSize, maxWindowSize, receiveSpin];
        foreach (Option option in (Option[])[config, .. serverFlags, metrics, json])
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string? configPath = parse.GetValue(config);
            TftpServiceConfig service;
            if (configPath is not null)
            {
                if (serverFlags.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } extra)
                {
                    throw new CommandFailedException($"{extra.Name} cannot be given with --config: the file carries the server's settings", ExitCodes.Usage);
                }

                service = LoadConfig(configPath);
            }
            else
            {
                service = new TftpServiceConfig { Server = FromFlags(parse, root, address, port, allowWrite, allowOverwrite, maxTransfers, maxPerClient, timeout, retries, maxBlockSize, maxWindowSize, receiveSpin) };
            }

            if (parse.GetValue(metrics) is { } metricsText)
            {
                service = service with
                {
                    Metrics = TftpServiceConfig.ParseEndPoint(metricsText)
                        ?? throw new CommandFailedException($"--metrics '{metricsText}' is not ADDRESS:PORT with an IPv4 or [IPv6] address", ExitCodes.Usage),
                };
            }

            TftpServerOptions options = service.Server;
            bool asJson = parse.GetValue(json);
            var log = new ServeLog(asJson, context.Time);
            using var notifier = SystemdNotifier.FromEnvironment();
            Socket? activated = SocketActivation.TakeDatagramSocket();
            var server = new TftpServer(options, context.Time, log);
            try
            {
                if (activated is not null)
                {
                    await server.StartAsync(activated, cancel).ConfigureAwait(false);
                }
                else
                {
                    await server.StartAsync(cancel).ConfigureAwait(false);
                }
            }
            catch (SocketException e)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw new CommandFailedException($"cannot listen on {options.EndPoint}: {e.Message}");
            }

            await using (server.ConfigureAwait(false))
            {
                using MeterProvider? exporter = service.Metrics is { } at ? StartMetrics(at) : null;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                var reloads = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
                using var signals = Service.ServiceSignals.Register(stop, () => reloads.Writer.TryWrite(true));

                string status = $"serving {options.Root} on {server.LocalEndPoint} ({Mode(options)}){(activated is null ? "" : ", socket from systemd")}";
                await context.Output.WriteLineAsync(asJson
                    ? CliJson.Write(new JsonObject
                    {
                        ["event"] = "listening", ["endpoint"] = server.LocalEndPoint.ToString(), ["root"] = Path.GetFullPath(options.Root), ["mode"] = Mode(options),
                        ["socket_activated"] = activated is not null, ["metrics"] = service.Metrics is { } m ? $"http://{m}/metrics" : null,
                    })
                    : $"{status}{(service.Metrics is { } m2 ? $"; metrics on http://{m2}/metrics" : "")}; Ctrl+C stops").ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                notifier.Ready(status);
                Task reloading = ReloadLoopAsync(reloads.Reader, configPath, service, server, log, notifier, status, stop.Token);
                if (context.Terminal is { } terminal && !asJson)
                {
                    await RunTableAsync(terminal, server, log, context.Time, stop.Token).ConfigureAwait(false);
                }
                else
                {
                    await RunLogAsync(context.Output, log, stop.Token).ConfigureAwait(false);
                }

                await reloading.ConfigureAwait(false);
                TimeSpan grace = server.Options.ShutdownGrace;
                int inFlight = server.ActiveTransfers.Count;
                notifier.Stopping($"stopping: {inFlight} transfers in flight");
                log.Note("stop", $"stopping: {inFlight} transfers in flight, up to {grace.TotalSeconds:0.###} s to finish", null);
                await server.StopAsync(grace).ConfigureAwait(false);
                await DrainLogAsync(context.Output, log).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync(asJson ? CliJson.Write(new JsonObject { ["event"] = "stopped" }) : "stopped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static TftpServerOptions FromFlags(ParseResult parse, Option<string> root, Option<string> address, Option<int> port, Option<bool> allowWrite, Option<bool> allowOverwrite,
        Option<int> maxTransfers, Option<int> maxPerClient, Option<double> timeout, Option<int> retries, Option<int> maxBlockSize, Option<int> maxWindowSize, Option<int> receiveSpin)
    {
        string rootPath = parse.GetValue(root) ?? throw new CommandFailedException("--root or --config is required", ExitCodes.Usage);
        if (!Directory.Exists(rootPath))
        {
            throw new CommandFailedException($"--root '{rootPath}' is not an existing directory");
        }

        string addressText = parse.GetValue(address)!;
        if (!IPAddress.TryParse(addressText.Trim('[', ']'), out IPAddress? ip))
        {
            throw new CommandFailedException($"--address '{addressText}' is not an IPv4 or IPv6 address", ExitCodes.Usage);
        }

        var options = new TftpServerOptions
        {
            Root = Path.GetFullPath(rootPath),
            EndPoint = new IPEndPoint(ip, parse.GetValue(port)),
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

        return options;
    }

    private static TftpServiceConfig LoadConfig(string path)
    {
        try
        {
            return TftpServiceConfig.Load(path);
        }
        catch (FileNotFoundException)
        {
            throw new CommandFailedException($"--config '{path}': no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CommandFailedException($"--config '{path}': no such file");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CommandFailedException($"--config '{path}': not readable by this process");
        }
    }

    private static string Mode(TftpServerOptions options) =>
        options.AllowWrite ? (options.AllowOverwrite ? "read-write, overwrite allowed" : "read-write, no overwrite") : "read-only";

    private static MeterProvider StartMetrics(IPEndPoint at)
    {
        try
        {
            return Sdk.CreateMeterProviderBuilder()
                .AddMeter(TftpMeter.Name)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = at.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{at.Address}]" : at.Address.ToString();
                    o.Port = at.Port;
                })
                .Build();
        }
        catch (Exception e) when (e is HttpListenerException or InvalidOperationException or ArgumentException)
        {
            throw new CommandFailedException($"cannot serve metrics on {at}: {e.Message}");
        }
    }

    /// <summary>
    /// Reads the configuration file again on each SIGHUP and hands it to the server: requests from
    /// then on use it, transfers in flight keep theirs. A file that does not read keeps the old
    /// configuration and logs why.
    /// </summary>
    private static async Task ReloadLoopAsync(ChannelReader<bool> reloads, string? configPath, TftpServiceConfig started, TftpServer server, ServeLog log,
        SystemdNotifier notifier, string status, CancellationToken stop)
    {
        try
        {
            while (await reloads.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reloads.TryRead(out _))
                {
                }

                notifier.Reloading();
                if (configPath is null)
                {
                    log.Note("reload", "SIGHUP: nothing to reload (started without --config)", null);
                }
                else
                {
                    try
                    {
                        TftpServiceConfig next = TftpServiceConfig.Load(configPath);
                        server.Reconfigure(next.Server);
                        var later = new List<string>();
                        if (!next.Server.EndPoint.Equals(started.Server.EndPoint))
                        {
                            later.Add($"the address {next.Server.EndPoint}");
                        }

                        if (!Equals(next.Metrics, started.Metrics))
                        {
                            later.Add("the metrics endpoint");
                        }

                        log.Note("reload", $"configuration reloaded from {configPath}{(later.Count == 0 ? "" : $"; {string.Join(" and ", later)} {(later.Count == 1 ? "takes" : "take")} effect at restart")}", null);
                    }
                    catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
                    {
                        log.Note("reload", $"reload of {configPath} failed, keeping the old configuration: {e.Message.ReplaceLineEndings(" ")}", e.Message);
                    }
                }

                notifier.Ready(status);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
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
            // Ctrl+C or SIGTERM: the normal way to stop.
        }

        await DrainLogAsync(output, log).ConfigureAwait(false);
    }

    private static async Task DrainLogAsync(TextWriter output, ServeLog log)
    {
        while (log.Lines.TryRead(out string? rest))
        {
            await output.WriteLineAsync(rest).ConfigureAwait(false);
        }

        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
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

        /// <summary>A line about the service itself (reload, stop); <paramref name="error"/> is set when it reports a failure.</summary>
        public void Note(string kind, string message, string? error)
        {
            lines.Writer.TryWrite(json
                ? CliJson.Write(new JsonObject { ["event"] = kind, ["time"] = time.GetUtcNow(), ["message"] = message, ["ok"] = error is null, ["error"] = error })
                : string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {kind,-8} {message}"));
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
                    ["receives"] = entry.Polling.Receives, ["polls"] = entry.Polling.Polls, ["poll_hits"] = entry.Polling.Hits,
                    ["poll_seconds"] = entry.Polling.Time.TotalSeconds,
                })
                : string.Create(CultureInfo.InvariantCulture,
                    $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} transfer {entry.Client} {op} {Quote(entry.FileName)} {entry.Bytes} bytes {entry.Duration.TotalSeconds:0.000} s " +
                    $"{entry.BytesPerSecond / (1 << 20):0.00} MiB/s {entry.Retransmissions} retransmissions blksize {entry.Options.BlockSize} windowsize {entry.Options.WindowSize} " +
                    $"polls {entry.Polling.Polls} hits {entry.Polling.Hits} {(entry.Error is null ? "ok" : "failed: " + entry.Error)}"));
        }

        private static string Quote(string? text) => text is null ? "-" : "'" + text.Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }
}
