using System.Buffers;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The state "sending DATA": the server answering an RRQ, or the client after its WRQ was
/// accepted. Sends up to windowsize blocks, then waits for an ACK (RFC 1350 section 6,
/// RFC 7440 section 4).
/// </summary>
/// <remarks>
/// No Sorcerer's Apprentice (RFC 1123 section 4.2.3.1): DATA goes out again only when the
/// timer fires, never because an ACK was repeated. An ACK inside the window that is short of
/// its end means the receiver missed a block: the window restarts after the acknowledged block.
/// The window's packets live in one pooled buffer, header and payload together, so sending
/// and resending copy nothing and allocate nothing. The buffer has slots beyond the window
/// (<see cref="ReadAheadBlocks"/>): while the receiver works on the window, the next blocks are
/// read ahead into them, so the file reads are off the round trip (tftpd-hpa's <c>read_ahead</c>
/// does the same for one block with its two buffers) and a window goes out as one burst.
/// <para>A repeated ACK of the acknowledged block, in a window, is the receiver saying it missed
/// the window's first block: RFC 7440 section 4's receiver acknowledges the last block it got in
/// order, which is then the one already acknowledged. U-Boot's <c>tftpboot</c> sends exactly this
/// once on a gap and then waits out its 5 s timer, so ignoring it stalled the fetch for the full
/// timeout. It restarts the window, but at most once in four windows of progress: a receiver that
/// answers every repeated window with such an ACK (U-Boot does) cannot keep the sender resending,
/// which would be the Sorcerer's Apprentice again at window scale.</para>
/// </remarks>
internal sealed class DataSender
{
    private readonly ITftpChannel channel;
    private readonly TransferSettings settings;
    private readonly Stream source;
    private readonly TransferCounters counters;
    private readonly TimeProvider time;

    public DataSender(ITftpChannel channel, TransferSettings settings, Stream source, TransferCounters counters, TimeProvider time)
    {
        this.channel = channel;
        this.settings = settings;
        this.source = source;
        this.counters = counters;
        this.time = time;
    }

    /// <summary>Paces the DATA packets (a server's per-client rate limit); null sends at once.</summary>
    public TokenBucket? Throttle { get; init; }

    /// <summary>The most read-ahead a transfer holds, in data bytes (at least one block is read ahead).</summary>
    public const int ReadAheadBytes = 64 * 1024;

    /// <summary>
    /// Blocks read ahead: as many as fit in <see cref="ReadAheadBytes"/>, at least one, at most a
    /// window. The next window is then ready when its ACK comes and goes out as one burst of
    /// sends, without a file read between two of them.
    /// </summary>
    public static int ReadAheadBlocks(int blockSize, int window) => Math.Clamp(ReadAheadBytes / blockSize, 1, window);

    /// <summary>Sends the whole source; returns when the last block is acknowledged.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        int blockSize = settings.BlockSize;
        int window = settings.WindowSize;
        int slotSize = TftpDataPacket.Size + blockSize;
        int slots = window + ReadAheadBlocks(blockSize, window); // the window, and the blocks read ahead
        byte[] ring = ArrayPool<byte>.Shared.Rent(checked(slotSize * slots));
        int[] lengths = ArrayPool<int>.Shared.Rent(slots);
        byte[] receive = ArrayPool<byte>.Shared.Rent(settings.ReceiveBufferSize);
        using var deadline = new ReceiveDeadline(time, cancel);

        // Reads block `block` into its slot of the ring as a whole DATA packet; true when it is
        // the final (short) block.
        async ValueTask<bool> ReadBlockAsync(long block)
        {
            int offset = (int)(block % slots) * slotSize;
            int length = await FillAsync(ring.AsMemory(offset + TftpDataPacket.Size, blockSize), cancel).ConfigureAwait(false);
            new TftpDataPacket(BlockNumbers.ToWire(block)).WriteTo(ring.AsSpan(offset));
            lengths[(int)(block % slots)] = TftpDataPacket.Size + length;
            return length < blockSize;
        }

        try
        {
            long acked = 0;      // the highest acknowledged block
            long next = 1;       // the next block to send
            long filled = 1;     // the next block to read from the source
            long highestSent = 0;
            long last = -1;      // the final (short) block, once read
            long repeatRestart = long.MinValue / 2; // `acked` when a repeated ACK last restarted the window
            int retries = 0;
            while (true)
            {
                // Send what the window allows.
                while (next <= acked + window && (last < 0 || next <= last))
                {
                    int slot = (int)(next % slots);
                    int offset = slot * slotSize;
                    if (next == filled)
                    {
                        last = await ReadBlockAsync(next) ? next : last;
                        filled++;
                    }

                    if (Throttle is not null)
                    {
                        await Throttle.WaitAsync(lengths[slot], settings.SynchronousIo, cancel).ConfigureAwait(false);
                    }

                    // Counted before the send: once the peer holds the block, the counters already show it.
                    if (next <= highestSent)
                    {
                        counters.AddRetransmissions(1);
                    }
                    else
                    {
                        highestSent = next;
                        counters.AddBlock(lengths[slot] - TftpDataPacket.Size);
                    }

                    await channel.SendAsync(ring.AsMemory(offset, lengths[slot]), cancel).ConfigureAwait(false);
                    next++;
                }

                deadline.Restart(settings.Timeout);
                while (last < 0 && filled <= acked + slots)
                {
                    // Read ahead into the spare slots while the receiver works on the window.
                    last = await ReadBlockAsync(filled) ? filled : last;
                    filled++;
                }

                bool progressed = false;
                while (!progressed)
                {
                    TftpReceiveResult received;
                    try
                    {
                        received = await channel.ReceiveAsync(receive, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (deadline.IsTimeout)
                    {
                        if (++retries > settings.MaxRetries)
                        {
                            throw new TftpTimeoutException(
                                $"no ACK for block {acked + 1} after {settings.MaxRetries} retransmissions, {settings.Timeout.TotalSeconds:0.###} s apart");
                        }

                        next = acked + 1; // go back to the first unacknowledged block
                        break;
                    }

                    if (received.Source != TftpPacketSource.Peer)
                    {
                        await ChannelErrors.ReplyUnknownTransferIdAsync(channel, receive.AsSpan(0, received.Length), cancel).ConfigureAwait(false);
                        continue;
                    }

                    ReadOnlySpan<byte> packet = receive.AsSpan(0, received.Length);
                    if (TftpAckPacket.TryParse(packet, out TftpAckPacket ack))
                    {
                        long block = BlockNumbers.Forward(ack.Block, acked);
                        if (block == acked && window > 1 && next > acked + 1 && acked >= repeatRestart + 4L * window)
                        {
                            // The first block of the window was lost (see remarks): send the window again now.
                            repeatRestart = acked;
                            next = acked + 1;
                            break;
                        }

                        if (block == acked || block >= next)
                        {
                            // A repeated ACK (ignored: resending on it is the Sorcerer's Apprentice),
                            // or an ACK for a block never sent (ignored: it proves nothing).
                            continue;
                        }

                        acked = block;
                        retries = 0;
                        progressed = true;
                        if (acked == last)
                        {
                            counters.ReportFinal();
                            return;
                        }

                        if (acked < next - 1)
                        {
                            // RFC 7440 section 4: the receiver acknowledged the last block it got in
                            // order; the rest of the window was lost and goes again from there.
                            next = acked + 1;
                        }
                    }
                    else if (TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode == TftpOpcode.Error)
                    {
                        throw ChannelErrors.FromPeer(packet);
                    }
                    else if (opcode == TftpOpcode.OptionAck && acked == 0)
                    {
                        // A client's WRQ: the server sent its OACK again because our DATA 1 was
                        // lost or late. Our own timer resends DATA 1; nothing to do now.
                        continue;
                    }
                    else
                    {
                        throw ChannelErrors.Unexpected(packet, "an ACK", cut: received.Length >= receive.Length);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(receive);
            ArrayPool<int>.Shared.Return(lengths);
            ArrayPool<byte>.Shared.Return(ring);
        }
    }

    // A short read is not the end of the file: read until the block is full or the source ends.
    // The synchronous path is a plain call (no async state machine per block).
    private ValueTask<int> FillAsync(Memory<byte> block, CancellationToken cancel) =>
        settings.SynchronousIo ? ValueTask.FromResult(Fill(block.Span)) : FillAsyncCore(block, cancel);

    private int Fill(Span<byte> block)
    {
        int total = 0;
        while (total < block.Length)
        {
            int read = source.Read(block[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private async ValueTask<int> FillAsyncCore(Memory<byte> block, CancellationToken cancel)
    {
        int total = 0;
        while (total < block.Length)
        {
            int read = await source.ReadAsync(block[total..], cancel).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
