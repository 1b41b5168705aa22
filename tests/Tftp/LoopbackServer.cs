using System.Collections.Concurrent;
using System.Net;

namespace RecoverySim.Tftp.Tests;

/// <summary>A server on an ephemeral loopback port over a temporary root, with its log collected.</summary>
public sealed class LoopbackServer : IAsyncDisposable, ITftpLog
{
    private LoopbackServer(TempDirectory root, TftpServer server)
    {
        Root = root;
        Server = server;
    }

    public TempDirectory Root { get; }

    public TftpServer Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    public ConcurrentQueue<TftpRequestLogEntry> Requests { get; } = new();

    public ConcurrentQueue<TftpTransferLogEntry> Transfers { get; } = new();

    public static async Task<LoopbackServer> StartAsync(Func<string, TftpServerOptions>? configure = null, IPAddress? address = null)
    {
        var root = new TempDirectory();
        TftpServerOptions options = configure?.Invoke(root.Path) ?? new TftpServerOptions
        {
            Root = root.Path,
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
            Timeout = TimeSpan.FromMilliseconds(200),
            MaxRetries = 3,
        };
        LoopbackServer? created = null;
        var server = new TftpServer(options, log: new ForwardingLog(() => created!));
        created = new LoopbackServer(root, server);
        await server.StartAsync(CancellationToken.None);
        return created;
    }

    public static TftpServerOptions Options(string root, bool write = false, bool overwrite = false, IPAddress? address = null) => new()
    {
        Root = root,
        EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
        AllowWrite = write,
        AllowOverwrite = overwrite,
        Timeout = TimeSpan.FromMilliseconds(200),
        MaxRetries = 3,
    };

    public void Request(TftpRequestLogEntry entry) => Requests.Enqueue(entry);

    public void Transfer(TftpTransferLogEntry entry) => Transfers.Enqueue(entry);

    /// <summary>Waits (bounded) until the server has no transfer left.</summary>
    public async Task WaitIdleAsync()
    {
        for (int i = 0; i < 500 && Server.ActiveTransfers.Count > 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Empty(Server.ActiveTransfers);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Root.Dispose();
    }

    private sealed class ForwardingLog(Func<LoopbackServer> target) : ITftpLog
    {
        public void Request(TftpRequestLogEntry entry) => target().Request(entry);

        public void Transfer(TftpTransferLogEntry entry) => target().Transfer(entry);
    }
}
