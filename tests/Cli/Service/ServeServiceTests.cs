using System.Net;
using System.Net.Sockets;
using System.Text;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Cli.Tests.Service;

/// <summary>
/// <c>serve</c> as a lab service (issue 13), run as the built command line in a child process:
/// a bad configuration, SIGHUP reloads, SIGTERM stops, sd_notify, socket activation under
/// <c>systemd-socket-activate</c>, Prometheus metrics, and the systemd units. Loopback only; every
/// wait is bounded and waits for an event (a log line, a datagram, an exit), never a sleep.
/// </summary>
public sealed class ServeServiceTests
{
    private static string Curl => PeerTool.Find("curl", "curl");

    private static async Task<PeerResult> CurlAsync(params string[] arguments) => await PeerProcess.RunAsync(Curl, ["-sS", .. arguments], ServeProcess.Wait);

    private static byte[] Content(int length)
    {
        var bytes = new byte[length];
        new Random(13).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData("""{ "root": "root", "allow_writes": true }""", "serve.json: $.allow_writes: expected one of the fields")]
    [InlineData("""{ "root": "root", "allow": ["192.168.1.0/24", "192.168.1.300/24"] }""", "serve.json: $.allow[1]: expected a CIDR network")]
    [InlineData("""{ "root": "missing" }""", "serve.json: $.root: expected a readable directory, found \"missing\", no such directory")]
    public async Task A_bad_configuration_is_one_error_line_a_failure_and_nothing_served(string json, string message)
    {
        await using var serve = ServeProcess.Create();
        int port = UdpPorts.Free();
        serve.WriteConfig(json.Replace("{ ", $"{{ \"port\": {port}, ", StringComparison.Ordinal));
        PeerResult result = await PeerProcess.RunAsync(ServeProcess.Program, ["serve", "--config", "serve.json"], ServeProcess.Wait, serve.Directory);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal($"recoverysim: {message}", result.StandardError.Trim()[..($"recoverysim: {message}".Length)]);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.Equal(string.Empty, result.StandardOutput);
        Assert.False(UdpPorts.IsBound(port));
    }

    [Fact]
    public async Task The_config_file_excludes_the_server_flags()
    {
        await using var serve = ServeProcess.Create();
        serve.WriteConfig("""{ "root": "root" }""");
        PeerResult result = await PeerProcess.RunAsync(ServeProcess.Program, ["serve", "--config", "serve.json", "--port", "70"], ServeProcess.Wait, serve.Directory);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--port cannot be given with --config", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGHUP_reloads_the_file_and_a_broken_file_keeps_the_old_configuration()
    {
        await using var serve = ServeProcess.Create();
        File.WriteAllBytes(Path.Join(serve.Root, "f.bin"), Content(3000));
        int port = UdpPorts.Free();
        serve.WriteConfig($$"""{ "root": "root", "port": {{port}} }""");
        await serve.StartAsync(["serve", "--config", "serve.json"]);
        string url = $"tftp://127.0.0.1:{port}/f.bin";
        Assert.Equal(0, (await CurlAsync("-o", Path.Join(serve.Directory, "a"), url)).ExitCode);

        serve.WriteConfig($$"""{ "root": "root", "port": {{port}}, "deny": ["127.0.0.0/8"], "typo": 1 }""");
        await serve.Process!.SignalAsync("HUP");
        await serve.Process.WaitForLineAsync("serve.json failed, keeping the old configuration: serve.json: $.typo: expected one of the fields", ServeProcess.Wait);
        Assert.Equal(0, (await CurlAsync("-o", Path.Join(serve.Directory, "b"), url)).ExitCode);

        serve.WriteConfig($$"""{ "root": "root", "port": {{port}}, "deny": ["127.0.0.0/8"] }""");
        await serve.Process.SignalAsync("HUP");
        await serve.Process.WaitForLineAsync("configuration reloaded from serve.json", ServeProcess.Wait);
        PeerResult denied = await CurlAsync("-o", Path.Join(serve.Directory, "c"), url);
        Assert.NotEqual(0, denied.ExitCode);
        await serve.Process.WaitForLineAsync("refused with ERROR 2: client 127.0.0.1 is in the denied network 127.0.0.0/8", ServeProcess.Wait);
        Assert.False(serve.Process.HasExited);
    }

    /// <summary>Serves <paramref name="content"/> rate-limited, starts curl on it, and sends SIGTERM once the request is logged.</summary>
    private static async Task<(ServeProcess Serve, Task<PeerResult> Fetch)> TermDuringTransferAsync(byte[] content, int rateLimit, int graceSeconds)
    {
        var serve = ServeProcess.Create();
        File.WriteAllBytes(Path.Join(serve.Root, "f.bin"), content);
        int port = UdpPorts.Free();
        serve.WriteConfig($$"""{ "root": "root", "port": {{port}}, "rate_limit": {{rateLimit}}, "shutdown_grace_seconds": {{graceSeconds}} }""");
        await serve.StartAsync(["serve", "--config", "serve.json"]);
        Task<PeerResult> fetch = CurlAsync("-o", Path.Join(serve.Directory, "out"), $"tftp://127.0.0.1:{port}/f.bin");
        await serve.Process!.WaitForLineAsync("RRQ 'f.bin' [", ServeProcess.Wait);
        await serve.Process.SignalAsync("TERM");
        return (serve, fetch);
    }

    [Fact]
    public async Task SIGTERM_lets_a_transfer_in_flight_finish_then_exits_0()
    {
        byte[] content = Content(600_000);
        // 200 kB/s: the transfer takes about two seconds, so SIGTERM lands in the middle.
        (ServeProcess serve, Task<PeerResult> fetch) = await TermDuringTransferAsync(content, rateLimit: 200_000, graceSeconds: 60);
        await using ServeProcess _ = serve;
        await serve.Process!.WaitForLineAsync("stopping: 1 transfers in flight", ServeProcess.Wait);
        PeerResult exit = await serve.Process.WaitAsync(ServeProcess.Wait);
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(0, (await fetch).ExitCode);
        Assert.Equal(content, File.ReadAllBytes(Path.Join(serve.Directory, "out")));
        Assert.Contains("stopped", exit.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGTERM_cuts_a_transfer_that_outlasts_the_grace_with_an_ERROR()
    {
        (ServeProcess serve, Task<PeerResult> fetch) = await TermDuringTransferAsync(Content(2_000_000), rateLimit: 50_000, graceSeconds: 1);
        await using ServeProcess _ = serve;
        PeerResult exit = await serve.Process!.WaitAsync(ServeProcess.Wait);
        Assert.Equal(0, exit.ExitCode);
        Assert.Contains("stopping: 1 transfers in flight", exit.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("failed: server stopped", exit.StandardOutput, StringComparison.Ordinal);
        PeerResult fetched = await fetch;
        // curl does not print the ERROR's text; the packet itself is checked in the library's tests
        // (ServiceFeaturesTests.A_stop_after_its_grace_cuts_a_read_with_an_ERROR).
        Assert.NotEqual(0, fetched.ExitCode);
    }

    [Fact]
    public async Task It_notifies_systemd_ready_reloading_and_stopping()
    {
        await using var serve = ServeProcess.Create();
        string socketPath = Path.Join(serve.Directory, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        int port = UdpPorts.Free();
        serve.WriteConfig($$"""{ "root": "root", "port": {{port}} }""");
        await serve.StartAsync(["serve", "--config", "serve.json"], new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath });

        async Task<string> NextAsync()
        {
            byte[] buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(ServeProcess.Wait);
            int length = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }

        string ready = await NextAsync();
        Assert.StartsWith("READY=1\nSTATUS=serving ", ready, StringComparison.Ordinal);
        Assert.Contains($"MAINPID={serve.Process!.Id}", ready, StringComparison.Ordinal);
        await serve.Process.SignalAsync("HUP");
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", await NextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("READY=1", await NextAsync(), StringComparison.Ordinal);
        await serve.Process.SignalAsync("TERM");
        Assert.StartsWith("STOPPING=1", await NextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await serve.Process.WaitAsync(ServeProcess.Wait)).ExitCode);
    }

    [Fact]
    public async Task It_serves_on_a_socket_from_systemd_socket_activate()
    {
        string activate = PeerTool.Find("systemd-socket-activate", "systemd");
        await using var serve = ServeProcess.Create();
        byte[] content = Content(300_000);
        File.WriteAllBytes(Path.Join(serve.Root, "f.bin"), content);
        int port = UdpPorts.Free();
        // The file's port is not used: the socket comes from systemd-socket-activate.
        serve.WriteConfig("""{ "root": "root", "port": 1 }""");
        await serve.StartAsync(["serve", "--config", "serve.json"], wrapper: [activate, "--datagram", "-l", $"127.0.0.1:{port}"], waitListening: false);
        // systemd-socket-activate starts serve at the first datagram, which then waits in the socket.
        PeerResult fetched = await CurlAsync("--tftp-blksize", "1468", "-o", Path.Join(serve.Directory, "out"), $"tftp://127.0.0.1:{port}/f.bin");
        Assert.True(fetched.ExitCode == 0, fetched.ToString() + serve.Process!.Output);
        Assert.Equal(content, File.ReadAllBytes(Path.Join(serve.Directory, "out")));
        await serve.Process!.WaitForLineAsync($"on 127.0.0.1:{port} (read-only), socket from systemd", ServeProcess.Wait);
    }

    [Fact]
    public async Task Metrics_are_scraped_with_curl_while_a_transfer_runs()
    {
        await using var serve = ServeProcess.Create();
        File.WriteAllBytes(Path.Join(serve.Root, "f.bin"), Content(1_000_000));
        int port = UdpPorts.Free();
        int http = ServeProcess.FreeTcpPort();
        serve.WriteConfig($$"""{ "root": "root", "port": {{port}}, "rate_limit": 100000 }""");
        await serve.StartAsync(["serve", "--config", "serve.json", "--metrics", $"127.0.0.1:{http}"]);
        await using PeerProcess fetch = PeerProcess.Start(Curl, ["-sS", "-o", Path.Join(serve.Directory, "out"), $"tftp://127.0.0.1:{port}/f.bin"]);
        await serve.Process!.WaitForLineAsync("RRQ 'f.bin' [", ServeProcess.Wait);
        PeerResult scrape = await CurlAsync($"http://127.0.0.1:{http}/metrics");
        Assert.Equal(0, scrape.ExitCode);
        string text = scrape.StandardOutput;
        Assert.Contains("tftp_server_active_transfers{otel_scope_name=\"RecoverySim.Tftp\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("tftp_server_requests_total{otel_scope_name=\"RecoverySim.Tftp\",operation=\"read\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tftp_server_bytes_total counter", text, StringComparison.Ordinal);
        Assert.Contains("tftp_server_retransmissions_total", text, StringComparison.Ordinal);
        Assert.False(fetch.HasExited, "the transfer ended before the scrape: the rate limit no longer holds it");
    }

    [Fact]
    public async Task The_systemd_units_pass_systemd_analyze_verify()
    {
        string analyze = PeerTool.Find("systemd-analyze", "systemd");
        string units = Path.Join(RepositoryRoot(), "packaging", "systemd");
        string directory = Directory.CreateTempSubdirectory("rs-units-").FullName;
        try
        {
            // verify checks that ExecStart's program exists: point it at the binary under test. Its
            // man page is installed by scripts/install.sh, not here, hence --man=no.
            foreach (string name in new[] { "recoverysim-tftp.service", "recoverysim-tftp.socket" })
            {
                string text = File.ReadAllText(Path.Join(units, name)).Replace("/usr/local/bin/recoverysim", ServeProcess.Program, StringComparison.Ordinal);
                File.WriteAllText(Path.Join(directory, name), text);
            }

            string service = File.ReadAllText(Path.Join(directory, "recoverysim-tftp.service"));
            foreach (string hardening in new[] { "DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "PrivateTmp=yes", "Type=notify", "ExecReload=kill -HUP $MAINPID", "BindReadOnlyPaths=" })
            {
                Assert.Contains(hardening, service, StringComparison.Ordinal);
            }

            PeerResult result = await PeerProcess.RunAsync(analyze, ["verify", "--man=no", Path.Join(directory, "recoverysim-tftp.service"), Path.Join(directory, "recoverysim-tftp.socket")], ServeProcess.Wait);
            Assert.True(result.ExitCode == 0 && result.StandardError.Trim().Length == 0, result.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Join(d, "RecoverySim.sln")))
            {
                return d;
            }
        }

        throw new InvalidOperationException($"no RecoverySim.sln above {AppContext.BaseDirectory}");
    }
}
