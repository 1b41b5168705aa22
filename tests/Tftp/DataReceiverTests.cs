using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

public sealed class DataReceiverTests
{
    private static readonly byte[] Ack0 = Packets.Ack(0);

    private static TransferSettings Settings(int blockSize, int windowSize = 1, int retries = 3, long maxBytes = long.MaxValue) =>
        new(blockSize, windowSize, TimeSpan.FromSeconds(1), retries, maxBytes);

    private static byte[] Content(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A model sender: on a new ACK it sends the window after it; on a repeated ACK only when
    /// nothing is in flight (the receiver timed out: this stands in for the sender's own timer).
    /// The link in front of it drops, duplicates and swaps DATA packets.
    /// </summary>
    private sealed class ModelSender(byte[] content, int blockSize, int window, Random? link = null, double loss = 0, double duplication = 0, double swap = 0, int copies = 1)
    {
        public ScriptedChannel? Channel { get; set; }

        private readonly long blocks = (content.Length / blockSize) + 1;
        private long acked;

        public IEnumerable<(byte[], TftpPacketSource)> OnSend(byte[] packet)
        {
            if (Packets.Opcode(packet) != (ushort)TftpOpcode.Ack)
            {
                return [];
            }

            long block = acked + (ushort)(Packets.Block(packet) - (ushort)acked);
            if (block > acked && block <= blocks)
            {
                acked = block;
            }
            else if (Channel is { Pending: > 0 })
            {
                return [];
            }

            var burst = new List<(byte[], TftpPacketSource)>();
            for (long b = acked + 1; b <= Math.Min(acked + window, blocks); b++)
            {
                int offset = (int)((b - 1) * blockSize);
                byte[] data = Packets.Data((ushort)b, content.AsSpan(offset, Math.Min(blockSize, content.Length - offset)).ToArray());
                if (link is not null && link.NextDouble() < loss)
                {
                    continue;
                }

                for (int c = 0; c < copies; c++)
                {
                    burst.Add((data, TftpPacketSource.Peer));
                }

                if (link is not null && link.NextDouble() < duplication)
                {
                    burst.Add((data, TftpPacketSource.Peer));
                }
            }

            for (int i = 0; link is not null && i + 1 < burst.Count; i++)
            {
                if (link.NextDouble() < swap)
                {
                    (burst[i], burst[i + 1]) = (burst[i + 1], burst[i]);
                }
            }

            return burst;
        }
    }

    private static Task<(ScriptedChannel Channel, byte[] Received)> ReceiveAsync(TransferSettings settings, ModelSender sender, bool strict = true)
    {
        var channel = new ScriptedChannel(new ManualTimeProvider()) { OnSend = sender.OnSend };
        sender.Channel = channel;
        return ReceiveAsync(channel, settings, strict);
    }

    private static Task<(ScriptedChannel Channel, byte[] Received)> ReceiveAsync(TransferSettings settings, Func<byte[], IEnumerable<(byte[], TftpPacketSource)>> peer, bool strict = true) =>
        ReceiveAsync(new ScriptedChannel(new ManualTimeProvider()) { OnSend = peer }, settings, strict);

    private static async Task<(ScriptedChannel Channel, byte[] Received)> ReceiveAsync(ScriptedChannel channel, TransferSettings settings, bool strict)
    {
        var output = new MemoryStream();
        var receiver = new DataReceiver(channel, settings, output, new TransferCounters(), channel.Time) { StrictFirstBlock = strict };
        await receiver.RunAsync(Ack0, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        return (channel, output.ToArray());
    }

    [Theory]
    [InlineData(0, 8, 1)]
    [InlineData(8, 8, 1)]
    [InlineData(1000, 8, 4)]
    [InlineData(5000, 512, 16)]
    public async Task Receives_the_exact_bytes_and_acks_each_window(int length, int blockSize, int window)
    {
        byte[] content = Content(length);
        (ScriptedChannel channel, byte[] received) = await ReceiveAsync(Settings(blockSize, window), new ModelSender(content, blockSize, window), strict: window == 1);

        Assert.Equal(content, received);
        long blocks = (length / blockSize) + 1;
        Assert.Equal(1 + (blocks / window) + (blocks % window == 0 ? 0 : 1), channel.Sent.Count);
    }

    [Fact]
    public async Task Oversized_data_is_refused()
    {
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() =>
            ReceiveAsync(Settings(512), _ => [(Packets.Data(1, new byte[513]), TftpPacketSource.Peer)]));
        Assert.Equal(TftpErrorCode.IllegalOperation, e.ErrorCode);
        Assert.Contains("blksize is 512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_block_other_than_1_is_refused()
    {
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() =>
            ReceiveAsync(Settings(512), _ => [(Packets.Data(2, new byte[10]), TftpPacketSource.Peer)]));
        Assert.Contains("first DATA block is 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endless_data_stops_at_the_size_limit()
    {
        int block = 0;
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() =>
            ReceiveAsync(Settings(512, maxBytes: 10_000), _ => [(Packets.Data(++block, new byte[512]), TftpPacketSource.Peer)]));
        Assert.Equal(TftpErrorCode.DiskFull, e.ErrorCode);
    }

    [Fact]
    public async Task A_stranger_gets_error_5_and_the_transfer_goes_on()
    {
        byte[] content = Content(100);
        var sender = new ModelSender(content, 8, 1);
        (ScriptedChannel channel, byte[] received) = await ReceiveAsync(Settings(8), packet =>
            new[] { (Packets.Data(Packets.Block(packet) + 1, new byte[8]), TftpPacketSource.Stranger) }.Concat(sender.OnSend(packet)).ToList());

        Assert.Equal(content, received);
        Assert.NotEmpty(channel.Replies);
        Assert.All(channel.Replies, r => Assert.True(Packets.IsError(r, TftpErrorCode.UnknownTransferId)));
    }

    [Fact]
    public async Task A_silent_sender_ends_in_a_timeout_after_resending_the_initial_packet()
    {
        var e = await Assert.ThrowsAsync<TftpTimeoutException>(() => ReceiveAsync(Settings(8, retries: 2), _ => []));
        Assert.Contains("DATA block 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_flood_of_repeated_data_gets_no_more_acks_than_data(int window)
    {
        // Every DATA arrives three times: the receiver never answers with more ACKs than it got DATA.
        byte[] content = Content(80);
        var sender = new ModelSender(content, 8, window, copies: 3);
        (ScriptedChannel channel, byte[] received) = await ReceiveAsync(Settings(8, window), sender, strict: window == 1);

        Assert.Equal(content, received);
        int acks = channel.Sent.Count - 1;
        Assert.True(acks <= 3 * 11, $"{acks} ACKs for {3 * 11} DATA");
    }

    [Fact]
    public async Task Block_numbers_roll_over_past_65535()
    {
        byte[] content = Content(70_000 * 8);
        (_, byte[] received) = await ReceiveAsync(Settings(8, 8), new ModelSender(content, 8, 8), strict: false);
        Assert.Equal(content, received);
    }

    [Fact]
    public async Task Any_lossy_link_delivers_the_exact_bytes() =>
        await Gen.Select(Gen.Int[0, 3000], Gen.Int[8, 64], Gen.Int[1, 8], Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int).SampleAsync(
            async (length, blockSize, window, loss, duplication, swap, seed) =>
            {
                byte[] content = Content(length, seed);
                var sender = new ModelSender(content, blockSize, window, new Random(seed), loss / 100.0, duplication / 100.0, swap / 100.0);
                (_, byte[] received) = await ReceiveAsync(Settings(blockSize, window, retries: 60), sender, strict: false);
                Assert.Equal(content, received);
            }, iter: 300);
}
