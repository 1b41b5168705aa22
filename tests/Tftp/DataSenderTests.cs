using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

public sealed class DataSenderTests
{
    private static TransferSettings Settings(int blockSize, int windowSize = 1, int retries = 3) =>
        new(blockSize, windowSize, TimeSpan.FromSeconds(1), retries, long.MaxValue);

    private static byte[] Content(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<(ScriptedChannel Channel, TransferCounters Counters)> SendAsync(byte[] content, TransferSettings settings, Func<byte[], IEnumerable<(byte[], TftpPacketSource)>> peer)
    {
        var channel = new ScriptedChannel(new ManualTimeProvider()) { OnSend = peer };
        var counters = new TransferCounters();
        await new DataSender(channel, settings, new MemoryStream(content), counters, channel.Time).RunAsync(CancellationToken.None);
        return (channel, counters);
    }

    [Theory]
    [InlineData(0, 8, 1)]
    [InlineData(1, 8, 1)]
    [InlineData(24, 8, 1)]
    [InlineData(25, 8, 3)]
    [InlineData(4096, 512, 4)]
    public async Task Sends_every_block_once_on_a_clean_link(int length, int blockSize, int window)
    {
        byte[] content = Content(length);
        var model = new ModelReceiver(blockSize, window);
        (ScriptedChannel channel, TransferCounters counters) = await SendAsync(content, Settings(blockSize, window), model.OnSend);

        Assert.True(model.Complete);
        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal((length / blockSize) + 1, channel.Sent.Count);
        Assert.Equal(0, counters.Retransmissions);
    }

    [Fact]
    public async Task Duplicate_acks_never_trigger_data()
    {
        // A flood: every ACK arrives five times. Resending on them would be the Sorcerer's Apprentice.
        byte[] content = Content(100 * 8);
        var model = new ModelReceiver(8, 1);
        (ScriptedChannel channel, _) = await SendAsync(content, Settings(8), packet =>
            model.OnSend(packet).SelectMany(answer => Enumerable.Repeat(answer, 5)).ToList());

        Assert.Equal(content, model.Received.ToArray());
        int blocks = 101;
        Assert.Equal(blocks, channel.Sent.Count(Packets.IsData));
        Assert.True(channel.Sent.Count(Packets.IsData) <= 1.3 * blocks);
    }

    [Fact]
    public async Task Acks_for_future_blocks_are_ignored()
    {
        byte[] content = Content(5 * 8);
        var model = new ModelReceiver(8, 1);
        (ScriptedChannel channel, _) = await SendAsync(content, Settings(8), packet =>
            new[] { (Packets.Ack(Packets.Block(packet) + 3), TftpPacketSource.Peer) }.Concat(model.OnSend(packet)).ToList());

        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal(6, channel.Sent.Count);
    }

    [Fact]
    public async Task A_silent_receiver_ends_in_a_timeout_after_the_retries()
    {
        var channel = new ScriptedChannel(new ManualTimeProvider());
        var sender = new DataSender(channel, Settings(8, retries: 4), new MemoryStream(Content(100)), new TransferCounters(), channel.Time);

        await Assert.ThrowsAsync<TftpTimeoutException>(() => sender.RunAsync(CancellationToken.None));
        Assert.Equal(1 + 4, channel.Sent.Count);
        Assert.All(channel.Sent, p => Assert.Equal(1, Packets.Block(p)));
    }

    [Fact]
    public async Task A_stranger_gets_error_5_and_the_transfer_goes_on()
    {
        byte[] content = Content(3 * 8);
        var model = new ModelReceiver(8, 1);
        (ScriptedChannel channel, _) = await SendAsync(content, Settings(8), packet =>
            new[] { (Packets.Ack(Packets.Block(packet)), TftpPacketSource.Stranger) }.Concat(model.OnSend(packet)).ToList());

        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal(4, channel.Replies.Count);
        Assert.All(channel.Replies, r => Assert.True(Packets.IsError(r, TftpErrorCode.UnknownTransferId)));
    }

    [Fact]
    public async Task An_error_from_the_peer_ends_the_transfer()
    {
        var channel = new ScriptedChannel(new ManualTimeProvider())
        {
            OnSend = _ => new[] { (Packets.Error(3, "disk full"), TftpPacketSource.Peer) },
        };
        var sender = new DataSender(channel, Settings(8), new MemoryStream(Content(100)), new TransferCounters(), channel.Time);

        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => sender.RunAsync(CancellationToken.None));
        Assert.True(e.FromPeer);
        Assert.Equal(TftpErrorCode.DiskFull, e.ErrorCode);
    }

    [Fact]
    public async Task Block_numbers_roll_over_to_zero_past_65535()
    {
        // 70,000 blocks of 8 bytes: the wire numbers go 65535, 0, 1, ...
        byte[] content = Content(70_000 * 8);
        var model = new ModelReceiver(8, 4);
        (ScriptedChannel channel, _) = await SendAsync(content, Settings(8, 4), model.OnSend);

        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal(70_001, channel.Sent.Count);
        Assert.Equal(65535, Packets.Block(channel.Sent[65534]));
        Assert.Equal(0, Packets.Block(channel.Sent[65535]));
        Assert.Equal(1, Packets.Block(channel.Sent[65536]));
    }

    [Fact]
    public async Task A_short_read_is_not_the_end_of_the_file()
    {
        byte[] content = Content(1000);
        var model = new ModelReceiver(512, 1);
        var channel = new ScriptedChannel(new ManualTimeProvider()) { OnSend = model.OnSend };
        await new DataSender(channel, Settings(512), new TrickleStream(content), new TransferCounters(), channel.Time).RunAsync(CancellationToken.None);

        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal(2, channel.Sent.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task The_next_blocks_are_read_while_the_receiver_works_on_the_window(int window)
    {
        // As tftpd-hpa's read_ahead: the file read is off the round trip. Each wait for an ACK
        // starts with the next blocks already read (one in lockstep, a window here, where 8-byte
        // blocks are far below the read-ahead's bytes), until the file ends.
        byte[] content = Content(10 * 8);
        var source = new MemoryStream(content);
        var model = new ModelReceiver(8, window);
        var channel = new ScriptedChannel(new ManualTimeProvider()) { OnSend = model.OnSend };
        var readAtReceive = new List<(long Sent, long Read)>();
        channel.OnReceive = () => readAtReceive.Add((channel.Sent.Count, source.Position / 8));
        await new DataSender(channel, Settings(8, window), source, new TransferCounters(), channel.Time).RunAsync(CancellationToken.None);

        Assert.Equal(content, model.Received.ToArray());
        Assert.Equal(11, channel.Sent.Count);
        Assert.NotEmpty(readAtReceive);
        Assert.All(readAtReceive, r => Assert.Equal(Math.Min(r.Sent + window, 10), r.Read));
    }

    [Theory]
    [InlineData(512, 1, 1)]     // lockstep: one block, as tftpd-hpa
    [InlineData(1468, 8, 8)]    // U-Boot's windowsize 8: the whole next window (11.7 KB)
    [InlineData(8192, 16, 8)]   // bounded by the bytes: 64 KiB
    [InlineData(65464, 16, 1)]  // a block above the bound still reads one ahead
    public void Read_ahead_is_a_window_within_64_KiB_and_never_less_than_a_block(int blockSize, int window, int blocks) =>
        Assert.Equal(blocks, DataSender.ReadAheadBlocks(blockSize, window));

    [Fact]
    public async Task Any_lossy_link_delivers_the_exact_bytes() =>
        await Gen.Select(Gen.Int[0, 3000], Gen.Int[8, 64], Gen.Int[1, 8], Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int[0, 50], Gen.Int).SampleAsync(
            async (length, blockSize, window, dataLoss, ackLoss, duplication, seed) =>
            {
                byte[] content = Content(length, seed);
                var model = new ModelReceiver(blockSize, window, new Random(seed), dataLoss / 100.0, ackLoss / 100.0, duplication / 100.0);
                (ScriptedChannel channel, TransferCounters counters) = await SendAsync(content, Settings(blockSize, window, retries: 60), model.OnSend);

                Assert.True(model.Complete);
                Assert.Equal(content, model.Received.ToArray());
                int blocks = (length / blockSize) + 1;
                Assert.Equal(blocks + counters.Retransmissions, channel.Sent.Count);
                if (dataLoss == 0 && ackLoss == 0 && (duplication == 0 || window == 1))
                {
                    Assert.Equal(blocks, channel.Sent.Count);
                }
            }, iter: 300);

    [Theory]
    [InlineData(8)]  // the first block of the second window
    [InlineData(11)] // one inside it
    [InlineData(0)]  // block 1: U-Boot sends no ACK for it (its last NACK starts at 0)
    [InlineData(15)] // the last block of the second window: nothing out of order follows it
    public async Task A_lost_block_in_a_window_costs_a_timeout_only_when_the_receiver_cannot_tell(int lost)
    {
        // U-Boot acknowledges the last block it has once on a gap. For the first block of a window
        // that is a repeated ACK, which the sender used to ignore, waiting out the timer (5 s from
        // U-Boot): the windowed stall of issue 15.
        byte[] content = Content(40 * 64 + 5);
        var board = new UBootModelReceiver(64, 8, dropData: new HashSet<int> { lost });
        (ScriptedChannel channel, TransferCounters counters) = await SendAsync(content, Settings(64, 8), board.OnSend);

        Assert.True(board.Complete);
        Assert.Equal(content, board.Received.ToArray());
        bool receiverCannotTell = lost is 0 or 15;
        Assert.Equal(receiverCannotTell ? 1 : 0, channel.Timeouts);
        Assert.True(counters.Retransmissions > 0);
        if (!receiverCannotTell)
        {
            // One ACK out of turn, and the window from the lost block once.
            Assert.Equal(1, board.Nacks);
            Assert.True(counters.Retransmissions <= 8, $"{counters.Retransmissions} retransmissions");
        }
    }

    [Fact]
    public async Task A_receiver_that_repeats_every_ack_gets_at_most_one_extra_window_in_two()
    {
        // Every ACK arrives twice. A repeated ACK restarts a window; U-Boot answers the repeated
        // window with an ACK of the block it has, which is the acknowledged one again. Restarting on
        // each of those would resend every window for good; the bound stops that after one.
        byte[] content = Content(400 * 64 + 5);
        var board = new UBootModelReceiver(64, 8, repeatAcks: true);
        (ScriptedChannel channel, _) = await SendAsync(content, Settings(64, 8), board.OnSend);

        Assert.Equal(content, board.Received.ToArray());
        Assert.Equal(0, channel.Timeouts);
        int blocks = 401;
        Assert.True(channel.Sent.Count <= blocks * 3 / 2, $"{channel.Sent.Count} DATA for {blocks} blocks");
    }

    [Fact]
    public async Task A_repeated_ack_in_lockstep_still_sends_nothing()
    {
        byte[] content = Content(50 * 64);
        var board = new UBootModelReceiver(64, 1, repeatAcks: true);
        (ScriptedChannel channel, TransferCounters counters) = await SendAsync(content, Settings(64, 1), board.OnSend);

        Assert.Equal(content, board.Received.ToArray());
        Assert.Equal(51, channel.Sent.Count);
        Assert.Equal(0, counters.Retransmissions);
    }

    /// <summary>Returns at most 7 bytes per read, as a pipe or a slow network stream may.</summary>
    private sealed class TrickleStream(byte[] content) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 7)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7)], cancellationToken);
    }
}
