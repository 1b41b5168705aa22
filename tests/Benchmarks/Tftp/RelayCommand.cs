using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using RecoverySim.Lab.Network;

namespace RecoverySim.Benchmarks.Tftp;

/// <summary>
/// <c>RecoverySim.Benchmarks relay ...</c>: runs a <see cref="LossyUdpRelay"/> in the foreground
/// so that scripts/bench/tftp.sh can put a delayed link between real processes (the kernel here
/// has no netem). Not a BenchmarkDotNet benchmark: Program.cs dispatches to it first.
/// </summary>
/// <remarks>
/// Usage: <c>relay --listen 127.0.0.1:PORT --to 127.0.0.1:PORT [--delay 1ms] [--jitter 0ms]
/// [--loss 0] [--duplicate 0] [--reorder 0] [--reorder-delay 5ms] [--seed N]</c>. The impairments
/// apply to both directions. Prints one line "relay: listening on A, forwarding to B" once bound,
/// runs until SIGINT or SIGTERM, then prints the counters.
/// </remarks>
public static class RelayCommand
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Name = "relay";

    /// <summary>Runs the relay; returns the process exit code (2 for a usage error).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        LossyUdpRelayOptions options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"relay: {e.Message}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await using var relay = new LossyUdpRelay(options);
        await relay.StartAsync(stop.Token);
        Console.Out.WriteLine($"relay: listening on {relay.LocalEndPoint}, forwarding to {options.Server}");
        Console.Out.Flush();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGINT or SIGTERM: the normal end.
        }

        await relay.StopAsync();
        RelayStatistics stats = relay.Statistics;
        Console.Out.WriteLine($"relay: client->server {stats.ClientToServer}");
        Console.Out.WriteLine($"relay: server->client {stats.ServerToClient}");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static LossyUdpRelayOptions Parse(string[] args)
    {
        IPEndPoint? listen = null, to = null;
        var link = new LinkImpairment();
        int seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new FormatException($"{name}: expected a value after it");
            }

            string value = args[++i];
            switch (name)
            {
                case "--listen": listen = EndPoint(name, value); break;
                case "--to": to = EndPoint(name, value); break;
                case "--delay": link = link with { Delay = Duration(name, value) }; break;
                case "--jitter": link = link with { Jitter = Duration(name, value) }; break;
                case "--reorder-delay": link = link with { ReorderDelay = Duration(name, value) }; break;
                case "--loss": link = link with { LossRate = Rate(name, value) }; break;
                case "--duplicate": link = link with { DuplicateRate = Rate(name, value) }; break;
                case "--reorder": link = link with { ReorderRate = Rate(name, value) }; break;
                case "--seed": seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : throw new FormatException($"--seed: expected an integer, found '{value}'"); break;
                default: throw new FormatException($"unknown option '{name}' (expected --listen, --to, --delay, --jitter, --loss, --duplicate, --reorder, --reorder-delay, --seed)");
            }
        }

        try
        {
            var options = new LossyUdpRelayOptions
            {
                ListenEndPoint = listen ?? throw new FormatException("--listen ADDRESS:PORT is required"),
                Server = to ?? throw new FormatException("--to ADDRESS:PORT is required"),
                Seed = seed,
                ClientToServer = link,
                ServerToClient = link,
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static IPEndPoint EndPoint(string name, string value) =>
        IPEndPoint.TryParse(value, out IPEndPoint? endPoint) && endPoint.Port != 0
            ? endPoint
            : throw new FormatException($"{name}: expected ADDRESS:PORT with a non-zero port, found '{value}'");

    private static TimeSpan Duration(string name, string value)
    {
        // "1ms", "250us", "0.5ms", "2s".
        (string number, double scale) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 1.0),
            _ when value.EndsWith("us", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1000.0),
            _ => (string.Empty, 0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0
            ? TimeSpan.FromMilliseconds(amount * scale)
            : throw new FormatException($"{name}: expected a duration such as 1ms, 250us or 2s, found '{value}'");
    }

    private static double Rate(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate is >= 0 and <= 1
            ? rate
            : throw new FormatException($"{name}: expected a probability from 0 to 1, found '{value}'");
}
