using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Lab.Web;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim web --bench DIR [--address A] [--port P]</c>: the bench dashboard (docs/WEB.md)
/// until Ctrl+C or SIGTERM. It runs the bench's TFTP server too, so a board that enters recovery
/// mode from the page heals over TFTP.
/// </summary>
public static class WebCommand
{
    /// <summary>Builds the <c>web</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new SignalHandlingCommand("web",
            "Serve the bench dashboard over HTTP (loopback by default) and run the bench's TFTP server, until Ctrl+C or SIGTERM: every board's slots and last boot timeline, live TFTP transfers and throughput, power-cut campaigns, and board actions.");
        var bench = new Option<string>("--bench") { Description = "The bench directory (bench create).", Required = true };
        var address = new Option<string>("--address") { Description = "The address to listen on (IPv4 or IPv6); anything but loopback makes the dashboard reachable from the network.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = NumericOptions.Integer("--port", "The TCP port; 0 picks a free one (printed at start).", 0, 65535, 8080);
        var tftpPort = NumericOptions.OptionalInteger("--tftp-port", "The bench's TFTP port instead of bench.json's (0 picks a free one).", 0, 65535);
        var scenarios = new Option<string[]>("--scenarios") { Description = "A directory of scenario files the page may run power-cut campaigns over; repeatable (the bench's scenarios/ is always one).", AllowMultipleArgumentsPerToken = false };
        foreach (Option option in (Option[])[bench, address, port, tftpPort, scenarios])
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string addressText = parse.GetValue(address)!;
            if (!IPAddress.TryParse(addressText.Trim('[', ']'), out IPAddress? ip))
            {
                throw new CommandFailedException($"--address '{addressText}' is not an IPv4 or IPv6 address", ExitCodes.Usage);
            }

            var server = new DashboardServer(new DashboardOptions
            {
                Bench = parse.GetValue(bench)!,
                Address = ip,
                Port = parse.GetValue(port),
                TftpPort = parse.GetValue(tftpPort),
                ScenarioDirectories = parse.GetValue(scenarios) ?? [],
                Time = context.Time,
            });
            await using (server.ConfigureAwait(false))
            {
                try
                {
                    await server.StartAsync(cancel).ConfigureAwait(false);
                }
                catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CommandFailedException($"cannot listen on {ip}:{parse.GetValue(port)}: {e.Message}");
                }
                catch (SocketException e)
                {
                    throw new CommandFailedException($"cannot start the bench's TFTP server: {e.Message}");
                }

                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                using var signals = Service.ServiceSignals.Register(stop, () => { });
                await context.Output.WriteLineAsync($"dashboard of {server.Bench.Bench.Directory} ({server.Bench.Bench.Boards.Count} boards) on {server.BaseAddress}; TFTP on {server.Bench.TftpEndPoint}; Ctrl+C stops").ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

                await server.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync("stopped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
