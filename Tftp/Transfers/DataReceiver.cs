using System.Buffers;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The state "receiving DATA": the client after its RRQ, or the server after accepting a WRQ.
/// Writes blocks in order, acknowledges every windowsize blocks and the final short block
/// (RFC 1350 section 6, RFC 7440 section 4).
/// </summary>
/// <remarks>
/// A repeated block in lockstep is acknowledged again (RFC 1350). With windows, a gap or a
/// repeated block is answered with an ACK of the last block received in order, once per pass
/// of the sender, so the sender restarts its window there. Never more ACKs than DATA.
/// </remarks>
internal sealed class DataReceiver
{
    private readonly ITftpChannel channel;
    private readonly TransferSettings settings;
    private readonly Stream destination;
    private readonly TransferCounters counters;
    private readonly TimeProvider time;
    private readonly byte[] ack = new byte[TftpAckPacket.Size];
    private long lastBlock = -1;

    public DataReceiver(ITftpChannel channel, TransferSettings settings, Stream destination, TransferCounters counters, TimeProvider time)
    {
        this.channel = channel;
        this.settings = settings;
        this.destination = destination;
        this.counters = counters;
        this.time = time;
    }

    /// <summary>
    /// Called after the final block is written and before it is acknowledged: the server
    /// commits the file here, so a failure can still reach the client as an ERROR.
    /// </summary>
    public Func<CancellationToken, ValueTask>? BeforeFinalAck { get; init; }

    /// <summary>
    /// True when the first DATA must be block 1 and nothing else (lockstep: a later block first
    /// cannot be reordering, it is a broken or hostile sender).
    /// </summary>
    public bool StrictFirstBlock { get; init; }

    /// <summary>Receives the whole file.</summary>
    /// <param name="initial">Sent first (ACK 0 or an OACK) and again on timeout until DATA arrives; empty to send nothing.</param>
    /// <param name="firstData">A DATA packet already received (a server's first reply to an RRQ), or empty.</param>
    /// <param name="cancel">Cancels the transfer.</param>
    public async Task RunAsync(ReadOnlyMemory<byte> initial, ReadOnlyMemory<byte> firstData, CancellationToken cancel)
    {
        byte[] receive = ArrayPool<byte>.Shared.Rent(settings.ReceiveBufferSize);
        using var deadline = new ReceiveDeadline(time, cancel);
        try
        {
            ReadOnlyMemory<byte> resend = initial;
            long expected = 1;
            int sinceAck = 0;
            int retries = 0;
            bool answeredDisorder = false;
            long lastDisorder = 0;
            if (!initial.IsEmpty)
            {
                await channel.SendAsync(initial, cancel).ConfigureAwait(false);
            }

            int pending = 0;
            if (!firstData.IsEmpty)
            {
                firstData.CopyTo(receive);
                pending = firstData.Length;
            }

            deadline.Restart(settings.Timeout);
            while (true)
            {
                int length;
                if (pending > 0)
                {
                    length = pending;
                    pending = 0;
                }
                else
                {
                    TftpReceiveResult received;
                    try
                    {
                        received = await channel.ReceiveAsync(receive.AsMemory(0, settings.ReceiveBufferSize), deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (deadline.IsTimeout)
                    {
                        if (++retries > settings.MaxRetries)
                        {
                            throw new TftpTimeoutException(
                                $"no DATA block {expected} after {settings.MaxRetries} retransmissions, {settings.Timeout.TotalSeconds:0.###} s apart");
                        }

                        if (!resend.IsEmpty)
                        {
                            await channel.SendAsync(resend, cancel).ConfigureAwait(false);
                            counters.AddRetransmissions(1);
                        }

                        sinceAck = 0;
                        deadline.Restart(settings.Timeout);
                        continue;
                    }

                    if (received.Source != TftpPacketSource.Peer)
                    {
                        await ChannelErrors.ReplyUnknownTransferIdAsync(channel, receive.AsSpan(0, received.Length), cancel).ConfigureAwait(false);
                        continue;
                    }

                    length = received.Length;
                }

                ReadOnlySpan<byte> packet = receive.AsSpan(0, length);
                if (!TftpDataPacket.TryParse(packet, out TftpDataPacket data))
                {
                    if (TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode == TftpOpcode.Error)
                    {
                        throw ChannelErrors.FromPeer(packet);
                    }

                    if (opcode == TftpOpcode.OptionAck && expected == 1 && !initial.IsEmpty)
                    {
                        // A client's RRQ: the server sent its OACK again, so our ACK 0 was lost. Answer it again.
                        await channel.SendAsync(initial, cancel).ConfigureAwait(false);
                        counters.AddRetransmissions(1);
                        continue;
                    }

                    throw ChannelErrors.Unexpected(packet, $"DATA block {expected}", cut: length >= settings.ReceiveBufferSize);
                }

                int payload = length - TftpDataPacket.Size;
                if (payload > settings.BlockSize)
                {
                    // RFC 2348: no DATA carries more than the negotiated blksize.
                    throw new TftpProtocolException(TftpErrorCode.IllegalOperation,
                        $"DATA block {data.Block} carries at least {payload} bytes, the negotiated blksize is {settings.BlockSize}");
                }

                int distance = BlockNumbers.Distance(data.Block, expected);
                if (distance != 0)
                {
                    if (expected == 1 && StrictFirstBlock)
                    {
                        throw new TftpProtocolException(TftpErrorCode.IllegalOperation, $"first DATA block is {data.Block}, expected 1");
                    }

                    // Lockstep (RFC 1350 section 6): a repeated block means our ACK was lost; ACK it
                    // again. The sender must not answer a repeated ACK (ours does not), so no storm.
                    // Windows (RFC 7440 section 4): acknowledge the last block received in order,
                    // once per pass of the sender: a block before the previous disordered one
                    // means the sender started its window again (it timed out and waits).
                    long block = expected + distance;
                    bool answer = settings.WindowSize == 1 ? distance < 0 : !answeredDisorder || block < lastDisorder;
                    if (expected > 1 && answer)
                    {
                        await SendAckAsync(expected - 1, cancel).ConfigureAwait(false);
                        resend = ack;
                        answeredDisorder = true;
                        sinceAck = 0;
                    }

                    lastDisorder = block;
                    continue;
                }

                if (counters.Bytes + payload > settings.MaxBytes)
                {
                    throw new TftpProtocolException(TftpErrorCode.DiskFull,
                        $"transfer exceeds the size limit of {settings.MaxBytes} bytes at block {expected}");
                }

                if (settings.SynchronousIo)
                {
                    destination.Write(receive, TftpDataPacket.Size, payload);
                }
                else
                {
                    await destination.WriteAsync(receive.AsMemory(TftpDataPacket.Size, payload), cancel).ConfigureAwait(false);
                }

                counters.AddBlock(payload);
                retries = 0;
                answeredDisorder = false;
                if (payload < settings.BlockSize)
                {
                    if (BeforeFinalAck is { } commit)
                    {
                        await commit(cancel).ConfigureAwait(false);
                    }

                    await SendAckAsync(expected, cancel).ConfigureAwait(false);
                    lastBlock = expected;
                    counters.ReportFinal();
                    return;
                }

                if (++sinceAck >= settings.WindowSize)
                {
                    await SendAckAsync(expected, cancel).ConfigureAwait(false);
                    resend = ack;
                    sinceAck = 0;
                }

                expected++;
                deadline.Restart(settings.Timeout);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(receive);
        }
    }

    /// <summary>
    /// After the final ACK, answers a repeated final DATA with the ACK again for
    /// <paramref name="duration"/> (RFC 1350 section 6: the final ACK may be lost).
    /// </summary>
    public async Task DallyAsync(TimeSpan duration, CancellationToken cancel)
    {
        if (lastBlock < 0 || duration <= TimeSpan.Zero)
        {
            return;
        }

        byte[] receive = ArrayPool<byte>.Shared.Rent(settings.ReceiveBufferSize);
        using var deadline = new ReceiveDeadline(time, cancel);
        deadline.Restart(duration);
        try
        {
            while (true)
            {
                TftpReceiveResult received;
                try
                {
                    received = await channel.ReceiveAsync(receive.AsMemory(0, settings.ReceiveBufferSize), deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsTimeout)
                {
                    return;
                }

                if (received.Source != TftpPacketSource.Peer)
                {
                    await ChannelErrors.ReplyUnknownTransferIdAsync(channel, receive.AsSpan(0, received.Length), cancel).ConfigureAwait(false);
                }
                else if (TftpDataPacket.TryParse(receive.AsSpan(0, received.Length), out TftpDataPacket data)
                    && data.Block == BlockNumbers.ToWire(lastBlock))
                {
                    await SendAckAsync(lastBlock, cancel).ConfigureAwait(false);
                    counters.AddRetransmissions(1);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(receive);
        }
    }

    private ValueTask SendAckAsync(long block, CancellationToken cancel)
    {
        new TftpAckPacket(BlockNumbers.ToWire(block)).WriteTo(ack);
        return channel.SendAsync(ack, cancel);
    }
}
