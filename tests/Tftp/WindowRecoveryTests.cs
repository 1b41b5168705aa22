using System.Net;
using System.Net.Sockets;
using RecoverySim.Testing;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// The windowed stall of issue 15, end to end through the server: a board (played here over a
/// raw socket, as U-Boot's tftpboot behaves) loses the first block of a window and answers the
/// next one with an ACK of the block it has. The server's clock is manual and never moves, so the
/// block can only come again because of that ACK, never because a timer fired; and the server's
/// transfer log line counts the retransmission that recovered it.
/// </summary>
public sealed class WindowRecoveryTests : ITftpLog
{
    private const int BlockSize = 64;
    private const int Window = 8;
    private readonly TaskCompletionSource<TftpTransferLogEntry> logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    void ITftpLog.Request(TftpRequestLogEntry entry)
    {
    }

    void ITftpLog.Transfer(TftpTransferLogEntry entry) => Assert.True(logged.TrySetResult(entry), "a second transfer was logged");

    [Fact]
    public async Task A_lost_first_block_of_a_window_comes_again_on_the_boards_ack_and_the_log_counts_it()
    {
        using var root = new TempDirectory();
        var content = new byte[(3 * Window * BlockSize) + 5]; // three windows and a short final block
        new Random(15).NextBytes(content);
        root.Write("image.bin", content);
        await using var server = new TftpServer(
            new TftpServerOptions { Root = root.Path, EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Timeout = TimeSpan.FromSeconds(5) },
            new ManualTimeProvider(), this);
        await server.StartAsync(CancellationToken.None);
        using var board = new RawPeer();

        await board.SendAsync(Packets.Strings(1, "image.bin", "octet", "blksize", $"{BlockSize}", "windowsize", $"{Window}"), server.LocalEndPoint);
        UdpReceiveResult oack = await board.ExpectAsync();
        Assert.Equal(6, Packets.Opcode(oack.Buffer));
        IPEndPoint transfer = oack.RemoteEndPoint;
        await board.SendAsync(Packets.Ack(0), transfer);

        var received = new MemoryStream();
        long current = 0;
        bool lost = false, nacked = false;
        while (true)
        {
            byte[] data = (await board.ExpectAsync()).Buffer;
            Assert.True(Packets.IsData(data));
            ushort block = Packets.Block(data);
            if (block == Window + 1 && !lost)
            {
                lost = true; // the network ate it
                continue;
            }

            if (block != (ushort)(current + 1))
            {
                if (!nacked)
                {
                    // U-Boot on a gap: the last block it has, once.
                    nacked = true;
                    await board.SendAsync(Packets.Ack((ushort)current), transfer);
                }

                continue;
            }

            current++;
            received.Write(data, 4, data.Length - 4);
            if (data.Length - 4 < BlockSize)
            {
                await board.SendAsync(Packets.Ack((ushort)current), transfer);
                break;
            }

            if (current % Window == 0)
            {
                await board.SendAsync(Packets.Ack((ushort)current), transfer);
            }
        }

        Assert.True(lost && nacked);
        Assert.Equal(content, received.ToArray());
        // The log line is written as the transfer ends, on the server's side: its signal, bounded.
        TftpTransferLogEntry entry = await logged.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(entry.Error);
        Assert.Equal(content.Length, entry.Bytes);
        // The window from block 9 once (8 blocks), and nothing else: no timer ever fired.
        Assert.Equal(Window, entry.Retransmissions);
    }
}
