using System.Net;
using RecoverySim.Lab.Time;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Server;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Lab.Network;

/// <summary>
/// Our TFTP server's transfer code (<see cref="TftpTransferHost"/>) and any number of client
/// channels, joined by an in-memory datagram link with seeded loss, duplication, delay and
/// reordering (<see cref="ImpairmentModel"/> per direction) on a <see cref="SimulatedClock"/>: no
/// sockets, no threads of its own, no real time. The client that waits drives everything: while
/// its inbox is empty, it delivers the next datagram to the server (whose code then runs on that
/// thread up to its next wait) or, when nothing is in flight, moves the clock to the next timer (a
/// delayed datagram, or one side's retransmission timeout). So a transfer, and a recovery that
/// fetches over it, replays exactly from its seed.
/// </summary>
/// <remarks>One client at a time: two clients waiting on two threads would race for the one clock.</remarks>
public sealed class InMemoryTftpLink
{
    /// <summary>The server's address on the simulated link (RFC 5737 documentation range).</summary>
    public static readonly IPEndPoint ServerEndPoint = new(IPAddress.Parse("192.0.2.1"), 69);

    private readonly TftpServerOptions _server;
    private readonly ImpairmentModel _toServer;
    private readonly ImpairmentModel _toClient;
    private readonly Queue<(ClientEnd Client, byte[] Packet)> _inFlightToServer = new();
    private readonly List<TftpTransferLogEntry> _transfers = [];
    private int _nextPort = 49152;

    /// <summary>A link to a server with <paramref name="server"/>'s settings (its root is served), impaired as given in each direction.</summary>
    public InMemoryTftpLink(TftpServerOptions server, SimulatedClock clock, LinkImpairment? toServer = null, LinkImpairment? toClient = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(clock);
        server.Validate();
        _server = server;
        Clock = clock;
        _toServer = new ImpairmentModel(toServer ?? LinkImpairment.None, seed);
        _toClient = new ImpairmentModel(toClient ?? LinkImpairment.None, unchecked(seed * 31 + 17));
    }

    /// <summary>The clock every timer of the link, the server and the clients runs on.</summary>
    public SimulatedClock Clock { get; }

    /// <summary>The transfers the server finished, in order.</summary>
    public IReadOnlyList<TftpTransferLogEntry> Transfers => _transfers;

    /// <summary>Datagrams the link dropped, in both directions.</summary>
    public long Dropped { get; private set; }

    /// <summary>Datagrams the link delivered twice, in both directions.</summary>
    public long Duplicated { get; private set; }

    /// <summary>
    /// A new client port on the link: a channel whose peer is the server's request port, for
    /// <see cref="TftpClient.GetAsync(ITftpChannel, string, Stream, IProgress{TftpProgress}?, CancellationToken)"/>.
    /// </summary>
    public ITftpChannel OpenClient() => new ClientEnd(this, new IPEndPoint(IPAddress.Parse("192.0.2.2"), _nextPort++));

    private void Send(ImpairmentModel model, Action deliver)
    {
        PacketFate fate = model.Next();
        if (fate.Dropped)
        {
            Dropped++;
            return;
        }

        if (fate.Duplicated)
        {
            Duplicated++;
        }

        for (int copy = 0; copy < fate.Copies; copy++)
        {
            TimeSpan delay = fate.DelayOf(copy);
            if (delay <= TimeSpan.Zero)
            {
                deliver();
                continue;
            }

            // A one-shot timer on the simulated clock; it removes itself once it has fired.
            ITimer? timer = null;
            timer = Clock.CreateTimer(_ =>
            {
                deliver();
                timer!.Dispose();
            }, null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// One step of the simulation for a waiting client: a datagram in flight to the server is
    /// delivered, or else the clock moves to the next timer. False when nothing can ever happen.
    /// </summary>
    private bool Step()
    {
        if (_inFlightToServer.TryDequeue(out (ClientEnd Client, byte[] Packet) next))
        {
            next.Client.ToServer(next.Packet);
            return true;
        }

        return Clock.AdvanceToNextTimer();
    }

    /// <summary>The client's port: it drives the link while it waits.</summary>
    private sealed class ClientEnd(InMemoryTftpLink link, IPEndPoint endPoint) : ITftpChannel
    {
        private readonly Queue<(byte[] Packet, TftpPacketSource Source)> _inbox = new();
        private ServerEnd? _server;
        private bool _locked;

        public ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
        {
            byte[] copy = packet.ToArray();
            link.Send(link._toServer, () => link._inFlightToServer.Enqueue((this, copy)));
            return ValueTask.CompletedTask;
        }

        public ValueTask<TftpReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel)
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (_inbox.TryDequeue(out (byte[] Packet, TftpPacketSource Source) next))
                {
                    int length = Math.Min(next.Packet.Length, buffer.Length);
                    next.Packet.AsSpan(0, length).CopyTo(buffer.Span);
                    return ValueTask.FromResult(new TftpReceiveResult(length, next.Source));
                }

                if (!link.Step())
                {
                    throw new InvalidOperationException("the simulated link stalled: nothing in flight and no timer armed");
                }

                Settle();
            }
        }

        public ValueTask ReplyAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel) => SendAsync(packet, cancel);

        public void LockPeer() => _locked = true;

        /// <summary>Closing the port: what it sent is still on the wire and reaches the server (a final ACK ends the server's transfer).</summary>
        public void Dispose()
        {
            while (link._inFlightToServer.TryDequeue(out (ClientEnd Client, byte[] Packet) next))
            {
                next.Client.ToServer(next.Packet);
            }
        }

        /// <summary>A datagram from this client reaches the server: the first one is its request, the rest go to the transfer.</summary>
        public void ToServer(byte[] packet)
        {
            if (_server is null)
            {
                _server = new ServerEnd(link, this);
                _server.Busy();
                _ = Run(TftpTransferHost.ServeAsync(link._server, packet, endPoint, _server, link.Clock));
            }
            else if (IsRequest(packet))
            {
                // A repeated (retransmitted or duplicated) request goes to the server's request
                // port, never to the transfer's: the socket server drops it there as a repeat.
            }
            else if (!_server.Finished)
            {
                _server.Deliver(packet);
            }

            _server.WaitUntilIdle();
        }

        private static bool IsRequest(byte[] packet) =>
            TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode is TftpOpcode.ReadRequest or TftpOpcode.WriteRequest;

        /// <summary>Lets a server that a timer woke finish its step before the client looks at its inbox again.</summary>
        public void Settle() => _server?.WaitUntilIdle();

        /// <summary>A datagram from the server's transfer port reaches this client.</summary>
        public void FromServer(byte[] packet) => _inbox.Enqueue((packet, _locked ? TftpPacketSource.Peer : TftpPacketSource.PeerHost));

        private async Task Run(Task<TftpTransferLogEntry> transfer)
        {
            TftpTransferLogEntry entry = await transfer.ConfigureAwait(false);
            link._transfers.Add(entry);
            _server!.Finished = true;
            _server.Idle();
        }
    }

    /// <summary>
    /// The server transfer's port: its receive waits until the driving client delivers a datagram
    /// (or a timer cancels it), and the client then waits until the server is idle again (waiting
    /// for its next datagram, or finished), so only one side ever runs at a time.
    /// </summary>
    private sealed class ServerEnd(InMemoryTftpLink link, ClientEnd client) : ITftpChannel
    {
        private readonly Queue<byte[]> _inbox = new();
        private readonly ManualResetEventSlim _idle = new(initialState: true);
        private Memory<byte> _buffer;
        private TaskCompletionSource<TftpReceiveResult>? _waiting;
        private CancellationTokenRegistration _registration;

        public bool Finished { get; set; }

        public ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
        {
            byte[] copy = packet.ToArray();
            link.Send(link._toClient, () => client.FromServer(copy));
            return ValueTask.CompletedTask;
        }

        public ValueTask<TftpReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel)
        {
            cancel.ThrowIfCancellationRequested();
            if (_inbox.TryDequeue(out byte[]? next))
            {
                return ValueTask.FromResult(Copy(next, buffer));
            }

            var waiting = new TaskCompletionSource<TftpReceiveResult>();
            _buffer = buffer;
            _waiting = waiting;
            _registration = cancel.Register(() =>
            {
                // A timeout (fired by the simulated clock, on the driving client's thread): the server runs again.
                if (ReferenceEquals(_waiting, waiting))
                {
                    _waiting = null;
                    Busy();
                }

                waiting.TrySetCanceled(cancel);
            });
            Idle();
            return new ValueTask<TftpReceiveResult>(waiting.Task);
        }

        public void Busy() => _idle.Reset();

        public void Idle() => _idle.Set();

        public void WaitUntilIdle() => _idle.Wait();

        public ValueTask ReplyAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel) => SendAsync(packet, cancel);

        public void LockPeer()
        {
        }

        public void Dispose()
        {
        }

        public void Deliver(byte[] packet)
        {
            TaskCompletionSource<TftpReceiveResult>? waiting = _waiting;
            if (waiting is null)
            {
                _inbox.Enqueue(packet);
                return;
            }

            _waiting = null;
            _registration.Dispose();
            Busy();
            waiting.TrySetResult(Copy(packet, _buffer));
        }

        private static TftpReceiveResult Copy(byte[] packet, Memory<byte> buffer)
        {
            int length = Math.Min(packet.Length, buffer.Length);
            packet.AsSpan(0, length).CopyTo(buffer.Span);
            return new TftpReceiveResult(length, TftpPacketSource.Peer);
        }
    }
}
