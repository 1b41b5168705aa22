using System.Buffers;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The state "OACK sent, waiting for ACK 0": a server that accepted options of an RRQ
/// (RFC 2347 "Negotiation Protocol": the client acknowledges the OACK with ACK 0, or refuses
/// it with ERROR 8).
/// </summary>
internal sealed class OackSender
{
    private readonly ITftpChannel channel;
    private readonly TimeSpan timeout;
    private readonly int maxRetries;
    private readonly TransferCounters counters;
    private readonly TimeProvider time;

    public OackSender(ITftpChannel channel, TimeSpan timeout, int maxRetries, TransferCounters counters, TimeProvider time)
    {
        this.channel = channel;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.counters = counters;
        this.time = time;
    }

    /// <summary>Sends <paramref name="oack"/> until ACK 0 arrives.</summary>
    public async Task RunAsync(ReadOnlyMemory<byte> oack, CancellationToken cancel)
    {
        byte[] receive = ArrayPool<byte>.Shared.Rent(1024);
        using var deadline = new ReceiveDeadline(time, cancel);
        try
        {
            int retries = 0;
            await channel.SendAsync(oack, cancel).ConfigureAwait(false);
            deadline.Restart(timeout);
            while (true)
            {
                TftpReceiveResult received;
                try
                {
                    received = await channel.ReceiveAsync(receive, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsTimeout)
                {
                    if (++retries > maxRetries)
                    {
                        throw new TftpTimeoutException($"no ACK 0 for the OACK after {maxRetries} retransmissions, {timeout.TotalSeconds:0.###} s apart");
                    }

                    await channel.SendAsync(oack, cancel).ConfigureAwait(false);
                    counters.AddRetransmissions(1);
                    deadline.Restart(timeout);
                    continue;
                }

                if (received.Source != TftpPacketSource.Peer)
                {
                    await ChannelErrors.ReplyUnknownTransferIdAsync(channel, receive.AsSpan(0, received.Length), cancel).ConfigureAwait(false);
                    continue;
                }

                ReadOnlySpan<byte> packet = receive.AsSpan(0, received.Length);

                if (TftpAckPacket.TryParse(packet, out TftpAckPacket ack))
                {
                    if (ack.Block == 0)
                    {
                        return;
                    }

                    // An ACK for a block not yet sent proves nothing: ignore it.
                    continue;
                }

                if (TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode == TftpOpcode.Error)
                {
                    throw ChannelErrors.FromPeer(packet);
                }

                throw ChannelErrors.Unexpected(packet, "ACK 0 for the OACK", cut: received.Length >= receive.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(receive);
        }
    }
}
