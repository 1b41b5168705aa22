using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// An <see cref="ITftpChannel"/> over one UDP socket (one local transfer ID). Addresses are
/// pre-allocated <see cref="SocketAddress"/>es, so sending and receiving allocate nothing.
/// </summary>
/// <remarks>
/// Blocking mode, for a transfer that owns its thread: sends and receives are plain system
/// calls and return completed tasks, so the whole transfer runs on that thread and the kernel
/// wakes it directly when a datagram arrives, as in tftpd-hpa. The async path costs a hop
/// through the socket engine and the thread pool for every packet, which on a busy machine
/// dominates a lockstep transfer. A blocked receive is one <c>recvfrom</c> with a receive timeout
/// (SO_RCVTIMEO) of <see cref="PollSlice"/>, so it wakes that often to honour its cancellation
/// token (the retransmission timer) and costs one system call per datagram, not a poll and a read.
/// Before it blocks, a receive may poll the socket for a few microseconds (<see cref="ReceiveSpin"/>).
/// </remarks>
internal sealed class SocketTftpChannel : ITftpChannel
{
    /// <summary>How often a blocked receive checks its token, in milliseconds.</summary>
    public const int PollSlice = 10;

    private readonly Socket socket;
    private readonly SocketAddress received;
    private readonly bool blocking;
    private readonly ReceiveSpin spin;
    private SocketAddress peer;
    private readonly IPEndPoint requestPeer;
    private bool locked;

    /// <param name="socket">A bound UDP socket, owned by the channel from now on.</param>
    /// <param name="peer">The peer's endpoint (for a client: the server's listening port).</param>
    /// <param name="locked">False for a client before the first reply: the peer's port is not known yet.</param>
    /// <param name="blocking">True when the caller owns a thread for the transfer (see remarks).</param>
    /// <param name="receiveSpin">In blocking mode, how long a receive may poll before it blocks; zero never polls.</param>
    public SocketTftpChannel(Socket socket, IPEndPoint peer, bool locked, bool blocking = false, TimeSpan receiveSpin = default)
    {
        this.socket = socket;
        this.blocking = blocking;
        this.peer = peer.Serialize();
        requestPeer = peer;
        this.locked = locked;
        spin = new ReceiveSpin(blocking ? receiveSpin : TimeSpan.Zero);
        if (blocking)
        {
            socket.ReceiveTimeout = PollSlice;
        }

        received = new SocketAddress(socket.AddressFamily, SocketAddress.GetMaximumAddressSize(socket.AddressFamily));
    }

    /// <summary>What this channel's receives did before they blocked.</summary>
    public TftpReceivePolling Polling => spin.Totals;

    /// <summary>Creates a UDP socket bound to <paramref name="local"/> with the given buffer sizes.</summary>
    public static Socket CreateSocket(IPEndPoint local, int bufferSize)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (local.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            if (bufferSize > 0)
            {
                // The kernel caps these at net.core.{r,w}mem_max; more is harmless.
                socket.SendBufferSize = bufferSize;
                socket.ReceiveBufferSize = bufferSize;
            }

            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks the kernel to report ICMP errors (port unreachable) on this unconnected socket
    /// (Linux IP_RECVERR, ip(7); IPV6_RECVERR for IPv6), so a client learns at once that nothing
    /// listens where its request went. A no-op elsewhere, and where the option is refused.
    /// </summary>
    public static void ReportUnreachable(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            bool v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
            socket.SetRawSocketOption(v6 ? IpProtoIpv6 : IpProtoIp, v6 ? Ipv6RecvErr : IpRecvErr, BitConverter.GetBytes(1));
        }
        catch (SocketException)
        {
            // Without it the request simply times out, as on other systems.
        }
    }

    private const int IpProtoIp = 0, IpRecvErr = 11, IpProtoIpv6 = 41, Ipv6RecvErr = 25;

    public ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
    {
        if (blocking)
        {
            socket.SendTo(packet.Span, SocketFlags.None, peer);
            return ValueTask.CompletedTask;
        }

        return SendToAsync(packet, peer, cancel);
    }

    public ValueTask<TftpReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel) =>
        blocking ? ValueTask.FromResult(ReceiveBlocking(buffer.Span, cancel)) : ReceiveAsyncCore(buffer, cancel);

    private TftpReceiveResult ReceiveBlocking(Span<byte> buffer, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        try
        {
            if (spin.TryReceive(socket, buffer, received, out int polled))
            {
                return new TftpReceiveResult(polled, Classify());
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
        {
            Refused();
        }

        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                int length = socket.ReceiveFrom(buffer, SocketFlags.None, received);
                return new TftpReceiveResult(length, Classify());
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
            {
                return new TftpReceiveResult(buffer.Length, Classify());
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
            {
                Refused();
            }
        }
    }

    /// <summary>
    /// Linux reports an ICMP port unreachable to an unconnected UDP socket too (udp(7)). Before the
    /// peer is known, the only datagrams sent went to the server's request port: nothing listens
    /// there, and waiting out every retransmission would only hide that. After that it is stale
    /// (an answer to a datagram for a transfer port already closed) and ignored.
    /// </summary>
    private void Refused()
    {
        if (!locked)
        {
            throw new TftpUnreachableException($"no TFTP server at {requestPeer}: the port is unreachable (ICMP)");
        }
    }

    private async ValueTask SendToAsync(ReadOnlyMemory<byte> packet, SocketAddress to, CancellationToken cancel) =>
        await socket.SendToAsync(packet, SocketFlags.None, to, cancel).ConfigureAwait(false);

    private async ValueTask<TftpReceiveResult> ReceiveAsyncCore(Memory<byte> buffer, CancellationToken cancel)
    {
        while (true)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, received, cancel).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
            {
                // A datagram longer than the buffer (Windows reports it this way): too long to be legal.
                return new TftpReceiveResult(buffer.Length, Classify());
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
            {
                // An ICMP port unreachable for an earlier send (Windows): not a datagram, keep waiting.
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
            {
                Refused();
                continue;
            }

            return new TftpReceiveResult(length, Classify());
        }
    }

    public ValueTask ReplyAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
    {
        if (blocking)
        {
            socket.SendTo(packet.Span, SocketFlags.None, received);
            return ValueTask.CompletedTask;
        }

        return SendToAsync(packet, received, cancel);
    }

    public void LockPeer()
    {
        if (!locked)
        {
            var copy = new SocketAddress(received.Family, received.Size);
            received.Buffer.Span[..received.Size].CopyTo(copy.Buffer.Span);
            peer = copy;
            locked = true;
        }
    }

    public void Dispose() => socket.Dispose();

    private TftpPacketSource Classify()
    {
        if (received.Equals(peer))
        {
            return TftpPacketSource.Peer;
        }

        return !locked && SameHost(received, peer) ? TftpPacketSource.PeerHost : TftpPacketSource.Stranger;
    }

    // sockaddr_in: family (2), port (2), address (4); sockaddr_in6: family (2), port (2), flow info (4), address (16).
    private static bool SameHost(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
        {
            return false;
        }

        (int offset, int length) = a.Family == AddressFamily.InterNetworkV6 ? (8, 16) : (4, 4);
        return a.Size >= offset + length && b.Size >= offset + length
            && a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }
}
