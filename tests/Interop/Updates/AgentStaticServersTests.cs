using System.Net;
using System.Net.Sockets;

using RecoverySim.Interop.Tests.Peers;
using RecoverySim.Lab.Tests.Updates;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Interop.Tests.Updates;

/// <summary>
/// Issue 11 interop: the update agent downloads from real static HTTP servers started by the test
/// on 127.0.0.1, not only from ours: nginx (honours Range and If-Range, so a cut download resumes)
/// and <c>python3 -m http.server</c> (ignores Range, so the agent starts over and still installs).
/// The tree they serve is our server's signed index and package, copied as files.
/// </summary>
public sealed class AgentStaticServersTests
{
    [Fact]
    public async Task The_agent_resumes_a_cut_download_from_nginx_with_a_range()
    {
        string nginx = PeerTool.Find("nginx", "nginx-light", null, "/usr/sbin/nginx");
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        string work = Directory.CreateTempSubdirectory("rs-nginx-").FullName;
        try
        {
            string tree = await ExportAsync(bench, work);
            // nginx's workers run as an unprivileged user: the tree must be readable by others.
            if (!OperatingSystem.IsWindows())
            {
                foreach (string d in Directory.GetDirectories(work, "*", SearchOption.AllDirectories).Append(work))
                {
                    File.SetUnixFileMode(d, (UnixFileMode)0b111_101_101);
                }
            }

            int port = FreeTcpPort();
            string conf = Path.Join(work, "nginx.conf");
            await File.WriteAllTextAsync(conf, $$"""
                daemon off;
                pid {{work}}/nginx.pid;
                error_log stderr;
                events { }
                http {
                    access_log off;
                    client_body_temp_path {{work}}/body;
                    proxy_temp_path {{work}}/proxy;
                    fastcgi_temp_path {{work}}/fastcgi;
                    uwsgi_temp_path {{work}}/uwsgi;
                    scgi_temp_path {{work}}/scgi;
                    types { application/json json; application/x-tar rsim; }
                    server { listen 127.0.0.1:{{port}}; root {{tree}}; }
                }
                """);
            await using PeerProcess server = PeerProcess.Start(nginx, ["-c", conf, "-p", work]);
            await WaitForTcpAsync(port, server);
            UpdateCheckResult result = await CutThenResumeAsync(bench, new Uri($"http://127.0.0.1:{port}/"));
            Assert.True(result.Download!.ResumedFrom > 0);
            Assert.False(result.Download.Restarted);
            Assert.Equal(result.Package!.Size - result.Download.ResumedFrom, result.Download.Fetched);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_agent_starts_over_with_python_http_server_which_ignores_ranges()
    {
        string python = PeerTool.Find("python3", "python3", null, "/usr/bin/python3");
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        string work = Directory.CreateTempSubdirectory("rs-python-http-").FullName;
        try
        {
            string tree = await ExportAsync(bench, work);
            int port = FreeTcpPort();
            await using PeerProcess server = PeerProcess.Start(python, ["-m", "http.server", "--bind", "127.0.0.1", "--directory", tree, $"{port}"]);
            await WaitForTcpAsync(port, server);
            UpdateCheckResult result = await CutThenResumeAsync(bench, new Uri($"http://127.0.0.1:{port}/"));
            Assert.True(result.Download!.Restarted);
            Assert.Equal(result.Package!.Size, result.Download.Fetched);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A first check whose package download is cut after 150,000 bytes, then a second that must finish the update.</summary>
    private static async Task<UpdateCheckResult> CutThenResumeAsync(AgentBench bench, Uri server)
    {
        using var cutting = TamperingHandler.Cutting("r2.rsim", 150_000);
        using (RecoverySim.Bootloader.Boards.Board board = bench.Open())
        {
            UpdateCheckResult first = await Agent(bench, board, cutting, server).CheckAsync();
            Assert.True(first.Status == UpdateStatus.Failed, first.Detail);
        }

        Assert.True(new DownloadArea(bench.AreaDevice).Read()!.Value.Durable > 0);
        using var plain = new HttpClient();
        UpdateCheckResult second;
        using (RecoverySim.Bootloader.Boards.Board board = bench.Open())
        {
            second = await Agent(bench, board, plain, server).CheckAsync();
        }

        Assert.True(second.Status == UpdateStatus.Installed, second.Detail);
        Assert.Equal("r2", bench.RunningRelease());
        Assert.True(bench.UserdataIntact());
        return second;
    }

    private static UpdateAgent Agent(AgentBench bench, RecoverySim.Bootloader.Boards.Board board, HttpClient http, Uri server) =>
        new(board, new DownloadArea(bench.AreaDevice), bench.State, http, new UpdateAgentOptions
        {
            Clock = bench.Clock,
            Reboot = bench.RebootAsync,
            Settings = () => bench.Config,
            Server = server,
            DurableInterval = 1 << 20,
            DownloadDurableInterval = 64 << 10,
        });

    /// <summary>Our server's signed index and its package, as the static files <c>v1/BOARD/CHANNEL/...</c>.</summary>
    private static async Task<string> ExportAsync(AgentBench bench, string work)
    {
        string tree = Path.Join(work, "tree");
        string channel = Path.Join(tree, "v1", AgentBench.Board, "stable");
        Directory.CreateDirectory(Path.Join(channel, "packages"));
        foreach (string file in new[] { "index.json", "index.sig", "packages/r2.rsim" })
        {
            byte[] bytes = await bench.Root.Http.GetByteArrayAsync($"/v1/{AgentBench.Board}/stable/{file}");
            await File.WriteAllBytesAsync(Path.Join(channel, file), bytes);
        }

        return tree;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits (up to 10 s) until the server accepts a TCP connection on <paramref name="port"/>.</summary>
    private static async Task WaitForTcpAsync(int port, PeerProcess server)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(20);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"{server.CommandLine} did not listen on 127.0.0.1:{port}: {e.Message}; output: {server.Output}", e);
            }
        }
    }
}
