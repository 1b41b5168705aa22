using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

/// <summary>A server on an ephemeral loopback port over a temporary root, with its log collected.</summary>
public sealed class LoopbackServer : IAsyncDisposable, ITftpLog
{
    /// <summary>How long a wait for something the server must do may take before the test fails.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Opcode of <see cref="ProbeAsync"/>'s datagram: no request, so the listening port refuses it at once.</summary>
    private const ushort ProbeOpcode = 99;

    private TaskCompletionSource logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    public void Request(TftpRequestLogEntry entry)
    {
        Requests.Enqueue(entry);
        Interlocked.Exchange(ref logged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public void Transfer(TftpTransferLogEntry entry)
    {
        Transfers.Enqueue(entry);
        Interlocked.Exchange(ref logged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Waits until <paramref name="condition"/> over the log holds, checking it at each new log entry; fails after <see cref="Bound"/>.</summary>
    public async Task WaitForLogAsync(Func<bool> condition, string what)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            Task next = Volatile.Read(ref logged).Task;
            if (condition())
            {
                return;
            }

            try
            {
                await next.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the server's log never showed {what} within {Bound.TotalSeconds} s ({Requests.Count} requests, {Transfers.Count} transfers logged)");
            }
        }
    }

    /// <summary>Waits until the server has logged the end of <paramref name="count"/> transfers, and returns them.</summary>
    public async Task<TftpTransferLogEntry[]> WaitForTransfersAsync(int count)
    {
        await WaitForLogAsync(() => Transfers.Count >= count, $"{count} transfers ended");
        return [.. Transfers];
    }

    /// <summary>
    /// Waits until every request the server accepted has ended (its transfer log entry, the
    /// signal) and left the transfer table, which happens right after it is logged.
    /// </summary>
    public async Task WaitIdleAsync()
    {
        await WaitForLogAsync(() => Transfers.Count >= Requests.Count(r => r.Accepted), "every accepted request's transfer ended");
        Assert.True(SpinWait.SpinUntil(() => Server.ActiveTransfers.Count == 0, Bound), $"{Server.ActiveTransfers.Count} transfers still in the table after all were logged");
    }

    /// <summary>
    /// Proves the listening port answered nothing that <paramref name="peer"/> sent it before,
    /// without waiting for silence: sends a probe the port refuses at once with ERROR 4, and
    /// checks that its refusal is the next datagram the peer gets. The port handles datagrams one
    /// at a time in arrival order and answers each before it reads the next, and loopback keeps
    /// the order between two sockets, so an answer to an earlier datagram would come first; and
    /// each earlier datagram's request log entry is written by then. Returns those entries
    /// (the probe's own excluded).
    /// </summary>
    public async Task<TftpRequestLogEntry[]> ProbeAsync(RawPeer peer)
    {
        await peer.SendAsync([(byte)(ProbeOpcode >> 8), (byte)ProbeOpcode, (byte)'p', 0, (byte)'o', 0], EndPoint);
        UdpReceiveResult reply = await peer.ExpectAsync();
        Assert.True(TftpErrorPacket.TryParse(reply.Buffer, out TftpErrorPacket error) && error.Message.Contains($"opcode {ProbeOpcode} ", StringComparison.Ordinal),
            $"the listening port answered an earlier datagram: opcode {Packets.Opcode(reply.Buffer)}, {reply.Buffer.Length} bytes, before the probe's ERROR 4");
        return [.. Requests.Where(r => r.Reason?.Contains($"opcode {ProbeOpcode} ", StringComparison.Ordinal) != true)];
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
