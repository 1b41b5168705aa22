using System.Net;
using System.Text;
using System.Text.Json;
using RecoverySim.Cli;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Tests.Tftp;

/// <summary>recoverysim tftp get/put and serve, run in-process.</summary>
public sealed class TftpCliTests : IDisposable
{
    private readonly string directory = Path.Join(Path.GetTempPath(), "rs-tftp-cli-" + Guid.NewGuid().ToString("N"));

    public TftpCliTests()
    {
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(Path.Join(directory, "root"));
    }

    private string Root => Path.Join(directory, "root");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await RecoverySimCli.RunAsync(args, new CliContext(output, error));
        return (code, output.ToString(), error.ToString());
    }

    private async Task<TftpServer> StartServerAsync(bool write = false)
    {
        var server = new TftpServer(new TftpServerOptions { Root = Root, EndPoint = new IPEndPoint(IPAddress.Loopback, 0), AllowWrite = write });
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    [Theory]
    [InlineData("--blksize", "4", "--blksize: expected an integer from 8 to 65464, found '4'")]
    [InlineData("--blksize", "70000", "--blksize: expected an integer from 8 to 65464, found '70000'")]
    [InlineData("--windowsize", "0", "--windowsize: expected an integer from 1 to 65535, found '0'")]
    [InlineData("--timeout", "0", "--timeout: expected seconds, more than 0 and at most 255, found '0'")]
    [InlineData("--timeout", "300", "--timeout: expected seconds, more than 0 and at most 255, found '300'")]
    [InlineData("--retries", "-1", "--retries: expected an integer from 0 to 1000, found '-1'")]
    [InlineData("--max-size", "-5", "--max-size: expected an integer from 0 to 9223372036854775807, found '-5'")]
    [InlineData("--receive-spin-us", "-1", "--receive-spin-us: expected an integer from 0 to 10000, found '-1'")]
    [InlineData("--receive-spin-us", "20000", "--receive-spin-us: expected an integer from 0 to 10000, found '20000'")]
    // F10: System.CommandLine's own text named runtime types, and a double printed a huge value in exponent form.
    [InlineData("--blksize", "2147483648", "--blksize: expected an integer from 8 to 65464, found '2147483648'")]
    [InlineData("--blksize", "abc", "--blksize: expected an integer from 8 to 65464, found 'abc'")]
    [InlineData("--timeout", "9223372036854775808", "--timeout: expected seconds, more than 0 and at most 255, found '9223372036854775808'")]
    [InlineData("--timeout", "NaN", "--timeout: expected seconds, more than 0 and at most 255, found 'NaN'")]
    [InlineData("--retries", "99999999999999999999", "--retries: expected an integer from 0 to 1000, found '99999999999999999999'")]
    public async Task Get_refuses_bad_flag_values(string flag, string value, string message)
    {
        (int code, _, string error) = await RunAsync("tftp", "get", "127.0.0.1:6969", "f", "-o", Path.Join(directory, "out"), flag, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Join(directory, "out")));
    }

    [Theory]
    [InlineData("[::1", "has '[' without ']'")]
    [InlineData("127.0.0.1:0", "port '0'")]
    [InlineData("127.0.0.1:70000", "port '70000'")]
    [InlineData("127.0.0.1:abc", "port 'abc'")]
    [InlineData("[::1]x", "not ':PORT'")]
    [InlineData(":69", "no host")]
    public async Task Get_refuses_bad_hosts(string host, string message)
    {
        (int code, _, string error) = await RunAsync("tftp", "get", host, "f", "-o", Path.Join(directory, "out"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_needs_an_output()
    {
        (int code, _, string error) = await RunAsync("tftp", "get", "127.0.0.1", "f");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--output", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_writes_the_file_and_reports()
    {
        byte[] content = new byte[100_000];
        new Random(1).NextBytes(content);
        File.WriteAllBytes(Path.Join(Root, "image.bin"), content);
        await using TftpServer server = await StartServerAsync();
        string output = Path.Join(directory, "out.bin");

        (int code, string stdout, string error) = await RunAsync("tftp", "get", server.LocalEndPoint.ToString(), "image.bin", "-o", output, "--blksize", "1468", "--windowsize", "8", "--json");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal(content, File.ReadAllBytes(output));
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(100_000, json.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(1468, json.RootElement.GetProperty("blksize").GetInt32());
        Assert.Equal(8, json.RootElement.GetProperty("windowsize").GetInt32());
        Assert.Equal(["out.bin"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Get_over_ipv6_with_brackets()
    {
        File.WriteAllBytes(Path.Join(Root, "f"), [1, 2, 3]);
        var server = new TftpServer(new TftpServerOptions { Root = Root, EndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) });
        await server.StartAsync(CancellationToken.None);
        await using (server)
        {
            (int code, string stdout, _) = await RunAsync("tftp", "get", $"[::1]:{server.LocalEndPoint.Port}", "f", "-o", Path.Join(directory, "v6"));
            Assert.Equal(0, code);
            Assert.Contains("3 bytes", stdout, StringComparison.Ordinal);
            Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Join(directory, "v6")));
        }
    }

    [Fact]
    public async Task A_failed_get_leaves_no_file_and_keeps_an_existing_one()
    {
        await using TftpServer server = await StartServerAsync();
        string output = Path.Join(directory, "existing");
        File.WriteAllText(output, "precious");

        (int code, _, string error) = await RunAsync("tftp", "get", server.LocalEndPoint.ToString(), "missing", "-o", output);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("ERROR 1", error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(output));
        Assert.Equal(["existing"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_get_cut_by_the_size_limit_leaves_no_file()
    {
        File.WriteAllBytes(Path.Join(Root, "big"), new byte[10_000]);
        await using TftpServer server = await StartServerAsync();
        string output = Path.Join(directory, "partial");

        (int code, _, string error) = await RunAsync("tftp", "get", server.LocalEndPoint.ToString(), "big", "-o", output, "--max-size", "5000");

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("5000", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task A_get_from_a_silent_server_times_out_with_one_line()
    {
        using var silent = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = (IPEndPoint)silent.Client.LocalEndPoint!;
        (int code, _, string error) = await RunAsync("tftp", "get", endPoint.ToString(), "f", "-o", Path.Join(directory, "x"), "--timeout", "0.1", "--retries", "1");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("no reply", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task Put_sends_the_file_and_refuses_a_missing_input()
    {
        byte[] content = Encoding.ASCII.GetBytes("hello\nworld\n");
        string input = Path.Join(directory, "in.txt");
        File.WriteAllBytes(input, content);
        await using TftpServer server = await StartServerAsync(write: true);

        (int code, string stdout, _) = await RunAsync("tftp", "put", server.LocalEndPoint.ToString(), "up.txt", "-i", input, "--netascii");
        Assert.Equal(0, code);
        Assert.Contains("sent up.txt", stdout, StringComparison.Ordinal);
        for (int i = 0; i < 100 && !File.Exists(Path.Join(Root, "up.txt")); i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(content, File.ReadAllBytes(Path.Join(Root, "up.txt")));

        (code, _, string error) = await RunAsync("tftp", "put", server.LocalEndPoint.ToString(), "x", "-i", Path.Join(directory, "nope"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync("tftp", "put", server.LocalEndPoint.ToString(), "x", "-i", input, "--blksize", "1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--blksize: expected an integer from 8 to 65464, found '1'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "serve" }, ExitCodes.Usage, "--root")]
    [InlineData(new[] { "serve", "--root", "/nonexistent/dir/x" }, ExitCodes.Failure, "not an existing directory")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--address", "not-an-ip" }, ExitCodes.Usage, "--address 'not-an-ip'")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--port", "70000" }, ExitCodes.Usage, "--port: expected an integer from 0 to 65535, found '70000'")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--allow-overwrite" }, ExitCodes.Usage, "--allow-overwrite needs --allow-write")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--max-transfers", "0" }, ExitCodes.Usage, "--max-transfers: expected an integer from 1 to 100000, found '0'")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--max-blksize", "7" }, ExitCodes.Usage, "--max-blksize: expected an integer from 8 to 65464, found '7'")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--timeout", "-1" }, ExitCodes.Usage, "--timeout: expected seconds, more than 0 and at most 255, found '-1'")]
    [InlineData(new[] { "serve", "--root", "ROOT", "--receive-spin-us", "10001" }, ExitCodes.Usage, "--receive-spin-us: expected an integer from 0 to 10000, found '10001'")]
    public async Task Serve_refuses_bad_flags(string[] args, int expected, string message)
    {
        (int code, _, string error) = await RunAsync(args.Select(a => a == "ROOT" ? Root : a).ToArray());
        Assert.Equal(expected, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_serves_until_cancelled_and_logs_each_request_and_transfer()
    {
        byte[] content = new byte[20_000];
        new Random(2).NextBytes(content);
        File.WriteAllBytes(Path.Join(Root, "golden.img"), content);
        var output = new SynchronizedWriter();
        var error = new SynchronizedWriter();
        using var stop = new CancellationTokenSource();
        Task<int> serve = RecoverySimCli.RunAsync(["serve", "--root", Root, "--port", "0", "--timeout", "0.5"], new CliContext(output, error), stop.Token);

        IPEndPoint endPoint = await WaitForEndPointAsync(output);
        var destination = new MemoryStream();
        await new TftpClient(new TftpClientOptions { BlockSize = 1468 }).GetAsync(endPoint, "golden.img", destination);
        Assert.Equal(content, destination.ToArray());
        await Assert.ThrowsAsync<TftpProtocolException>(() => new TftpClient(new TftpClientOptions()).GetAsync(endPoint, "../etc/passwd", new MemoryStream()));

        for (int i = 0; i < 200 && output.Text.Split('\n').Count(l => l.Contains(" transfer ", StringComparison.Ordinal)) < 2; i++)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        int code = await serve;
        string log = output.Text;
        Assert.Equal(0, code);
        Assert.Contains("request  127.0.0.1", log, StringComparison.Ordinal);
        Assert.Contains("'golden.img' 20000 bytes", log, StringComparison.Ordinal);
        Assert.Contains("MiB/s 0 retransmissions blksize 1468", log, StringComparison.Ordinal);
        Assert.Contains("failed: file name '../etc/passwd' has a '..' segment", log, StringComparison.Ordinal);
        Assert.EndsWith("stopped", log.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_json_logs_what_each_transfers_receives_did_before_they_blocked()
    {
        // 20,000 bytes at blksize 1468: 14 DATA, so 15 receives (the ACK of the OACK, 14 ACKs).
        File.WriteAllBytes(Path.Join(Root, "golden.img"), new byte[20_000]);
        var output = new SynchronizedWriter();
        using var stop = new CancellationTokenSource();
        Task<int> serve = RecoverySimCli.RunAsync(["serve", "--root", Root, "--port", "0", "--json"], new CliContext(output, new SynchronizedWriter()), stop.Token);

        IPEndPoint endPoint = await WaitForEndPointAsync(output);
        await new TftpClient(new TftpClientOptions { BlockSize = 1468 }).GetAsync(endPoint, "golden.img", new MemoryStream());
        for (int i = 0; i < 200 && !output.Text.Contains("\"event\":\"transfer\"", StringComparison.Ordinal); i++)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await serve);
        string line = output.Text.Split('\n').Single(l => l.Contains("\"event\":\"transfer\"", StringComparison.Ordinal));
        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement root = json.RootElement;
        long receives = root.GetProperty("receives").GetInt64();
        long polls = root.GetProperty("polls").GetInt64();
        long hits = root.GetProperty("poll_hits").GetInt64();
        double seconds = root.GetProperty("poll_seconds").GetDouble();
        Assert.Equal(15, receives);
        Assert.InRange(polls, 0, receives); // how many polled depends on the machine's CPU pressure
        Assert.InRange(hits, 0, polls);
        Assert.True(polls > 0 ? seconds > 0 : seconds == 0, $"{polls} polls took {seconds} s");
    }

    [Fact]
    public async Task Serve_on_a_terminal_shows_a_live_table_and_stops_on_cancel()
    {
        File.WriteAllBytes(Path.Join(Root, "golden.img"), new byte[50_000]);
        var output = new SynchronizedWriter();
        var screen = new SynchronizedWriter();
        var terminal = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(screen),
            Interactive = Spectre.Console.InteractionSupport.Yes,
            Ansi = Spectre.Console.AnsiSupport.No,
        });
        using var stop = new CancellationTokenSource();
        Task<int> serve = RecoverySimCli.RunAsync(["serve", "--root", Root, "--port", "0"], new CliContext(output, new StringWriter(), terminal), stop.Token);

        IPEndPoint endPoint = await WaitForEndPointAsync(output);
        await new TftpClient(new TftpClientOptions()).GetAsync(endPoint, "golden.img", new MemoryStream());
        for (int i = 0; i < 100 && !screen.Text.Contains("golden.img", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await serve);
        Assert.Contains("TFTP transfers", screen.Text, StringComparison.Ordinal);
        Assert.Contains("golden.img", screen.Text, StringComparison.Ordinal);
    }

    private static async Task<IPEndPoint> WaitForEndPointAsync(SynchronizedWriter output)
    {
        for (int i = 0; i < 250; i++)
        {
            string text = output.Text;
            if (text.StartsWith('{') && text.Contains('\n', StringComparison.Ordinal))
            {
                // --json: the first line is the "listening" event.
                using JsonDocument listening = JsonDocument.Parse(text[..text.IndexOf('\n', StringComparison.Ordinal)]);
                return IPEndPoint.Parse(listening.RootElement.GetProperty("endpoint").GetString()!);
            }

            int at = text.IndexOf(" on ", StringComparison.Ordinal);
            int end = text.IndexOf(" (", StringComparison.Ordinal);
            if (at > 0 && end > at)
            {
                return IPEndPoint.Parse(text[(at + 4)..end]);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("serve printed no endpoint: " + output.Text);
    }

    /// <summary>A StringWriter that other threads may read while the command writes.</summary>
    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly Lock gate = new();

        public string Text
        {
            get
            {
                lock (gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (gate)
            {
                base.WriteLine(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }
    }
}
