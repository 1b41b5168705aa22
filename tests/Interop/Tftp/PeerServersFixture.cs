using System.Net;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// The real TFTP servers our client is tested against, each started on first use and shared
/// by a test class: tftpd-hpa (in.tftpd), atftpd 0.8 and dnsmasq (TFTP only, port 69). They
/// all serve the same directory of interop files. A missing server fails its own tests with
/// the install hint; the others still run.
/// </summary>
public sealed class PeerServersFixture : IAsyncLifetime
{
    /// <summary>dnsmasq serves TFTP on port 69 only.</summary>
    public const int DnsmasqPort = 69;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Task<PeerDaemon>> _daemons = new();

    /// <summary>The block sizes our client asks the peer servers for.</summary>
    public static readonly int[] BlockSizes = [512, 1468, 8192];

    /// <summary>The block size of the rollover downloads (atftpd refuses an OACK longer than one block: "blksize 32, tsize, windowsize" needs about 40 bytes).</summary>
    public const int RolloverBlockSize = 64;

    /// <summary>The served files (every interop size for <see cref="BlockSizes"/> and blksize 8, plus the rollover file).</summary>
    public TftpTestFiles Files { get; } = new("tftp-peers");

    /// <inheritdoc/>
    public Task InitializeAsync()
    {
        foreach (int blockSize in BlockSizes.Append(8))
        {
            foreach (long size in TftpInteropSizes.For(blockSize))
            {
                Files.Add(size);
            }
        }

        Files.Add(TftpInteropSizes.PastRollover(RolloverBlockSize));
        return Task.CompletedTask;
    }

    /// <summary>tftpd-hpa 5.2: <c>in.tftpd -L -s ROOT -a 127.0.0.1:PORT</c>.</summary>
    public Task<IPEndPoint> TftpdHpaAsync() => StartAsync("in.tftpd", () =>
    {
        string program = PeerTool.Find("in.tftpd", "tftpd-hpa");
        return PeerDaemon.StartAsync(program, port => ["-L", "-s", Files.Root, "-a", $"127.0.0.1:{port}"]);
    });

    /// <summary>atftpd 0.8, unpacked from its .deb (it conflicts with tftpd-hpa as a package).</summary>
    public Task<IPEndPoint> AtftpdAsync() => StartAsync("atftpd", () =>
    {
        string program = PeerTool.Find(
            "atftpd", "atftpd (unpacked into .peers/atftpd)", "RECOVERYSIM_ATFTPD",
            Path.Combine(PeerTool.RepositoryRoot, ".peers/atftpd/usr/sbin/atftpd"), "/work/main/.peers/atftpd/usr/sbin/atftpd");
        return PeerDaemon.StartAsync(program, port =>
        [
            "--daemon", "--no-fork", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind-address", "127.0.0.1", "--user", "root", "--group", "root", "--logfile", "/dev/null", Files.Root,
        ]);
    });

    /// <summary>dnsmasq with DNS off and TFTP on port 69 (it has no TFTP port option), bound to 127.0.0.1 only.</summary>
    public Task<IPEndPoint> DnsmasqAsync() => StartAsync("dnsmasq", () =>
    {
        string program = PeerTool.Find("dnsmasq", "dnsmasq-base");
        return PeerDaemon.StartAsync(
            program,
            _ =>
            [
                "--port=0", "--enable-tftp", $"--tftp-root={Files.Root}", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-daemon", "--user=root", "--group=root", "--conf-file=/dev/null", "--pid-file=", "--log-facility=/dev/null",
            ],
            port: DnsmasqPort);
    });

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        foreach (Task<PeerDaemon> daemon in _daemons.Values)
        {
            if (daemon.IsCompletedSuccessfully)
            {
                await daemon.Result.DisposeAsync();
            }
        }

        Files.Dispose();
        _gate.Dispose();
    }

    private async Task<IPEndPoint> StartAsync(string name, Func<Task<PeerDaemon>> start)
    {
        Task<PeerDaemon> daemon;
        await _gate.WaitAsync();
        try
        {
            if (!_daemons.TryGetValue(name, out daemon!) || daemon.IsFaulted)
            {
                daemon = Task.Run(start);
                _daemons[name] = daemon;
            }
        }
        finally
        {
            _gate.Release();
        }

        PeerDaemon running = await daemon;
        return new IPEndPoint(IPAddress.Loopback, running.Port);
    }
}
