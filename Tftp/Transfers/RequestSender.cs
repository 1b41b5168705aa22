using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The client state "request sent, waiting for the first reply": the RRQ or WRQ goes to the
/// server's well-known port; the first reply from the server's host comes from the server's
/// new transfer ID, which becomes the peer (RFC 1350 section 4).
/// </summary>
internal sealed class RequestSender
{
    private readonly ITftpChannel channel;
    private readonly TimeSpan timeout;
    private readonly int maxRetries;
    private readonly TransferCounters counters;
    private readonly TimeProvider time;

    public RequestSender(ITftpChannel channel, TimeSpan timeout, int maxRetries, TransferCounters counters, TimeProvider time)
    {
        this.channel = channel;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.counters = counters;
        this.time = time;
    }

    /// <summary>Sends <paramref name="request"/> until the server answers; returns the reply's length in <paramref name="reply"/>.</summary>
    /// <remarks>An ERROR reply is thrown as a <see cref="TftpProtocolException"/>; any other reply is the caller's to judge.</remarks>
    public async Task<int> RunAsync(ReadOnlyMemory<byte> request, Memory<byte> reply, CancellationToken cancel)
    {
        using var deadline = new ReceiveDeadline(time, cancel);
        int retries = 0;
        await channel.SendAsync(request, cancel).ConfigureAwait(false);
        deadline.Restart(timeout);
        while (true)
        {
            TftpReceiveResult received;
            try
            {
                received = await channel.ReceiveAsync(reply, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsTimeout)
            {
                if (++retries > maxRetries)
                {
                    throw new TftpTimeoutException($"no reply to the request after {maxRetries} retransmissions, {timeout.TotalSeconds:0.###} s apart");
                }

                await channel.SendAsync(request, cancel).ConfigureAwait(false);
                counters.AddRetransmissions(1);
                deadline.Restart(timeout);
                continue;
            }

            if (received.Source == TftpPacketSource.Stranger)
            {
                // Not the server's host: not the reply, and no transfer ID to complain to yet.
                continue;
            }

            channel.LockPeer();
            ReadOnlySpan<byte> packet = reply.Span[..received.Length];
            if (TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode == TftpOpcode.Error)
            {
                throw ChannelErrors.FromPeer(packet);
            }

            return received.Length;
        }
    }
}
