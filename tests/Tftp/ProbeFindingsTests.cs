using System.Net.Sockets;
using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// Issue 14's hostile-input probe, findings F6-F9, against a real server on loopback and against
/// the state classes over a scripted channel (docs/FORMAT.md, TFTP).
/// </summary>
public sealed class ProbeFindingsTests
{
    private static TransferSettings Settings(int blockSize = 8) => new(blockSize, 1, TimeSpan.FromSeconds(1), 3, long.MaxValue);

    private static async Task<TftpErrorPacket> ExpectErrorAsync(RawPeer peer)
    {
        UdpReceiveResult reply = await peer.ExpectAsync();
        Assert.True(TftpErrorPacket.TryParse(reply.Buffer, out TftpErrorPacket error), $"expected an ERROR, got opcode {Packets.Opcode(reply.Buffer)}");
        return error;
    }

    // F6: RFC 1350 section 7 ("the error packet is not acknowledged nor retransmitted"): an ERROR
    // from a wrong port gets no ERROR 5 back, or two hosts could bounce errors forever.
    [Fact]
    public async Task F6_an_error_from_a_wrong_port_during_a_transfer_is_not_answered()
    {
        // A long timeout: no retransmission of DATA 1 while the stranger probes.
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with { Timeout = TimeSpan.FromSeconds(5) });
        server.Root.Write("f", new byte[3 * 512]);
        using var peer = new RawPeer();
        using var stranger = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        await stranger.SendAsync(Packets.Error(0, "not yours"), first.RemoteEndPoint);
        // A probe after it, which a stranger's ACK gets answered with ERROR 5: the transfer reads
        // its datagrams in order, so that is the first and, once the transfer is over, the only
        // datagram the stranger got (no wait for silence).
        await stranger.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        Assert.True(Packets.IsError((await stranger.ExpectAsync()).Buffer, TftpErrorCode.UnknownTransferId));

        // The transfer is not disturbed either.
        await peer.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        Assert.Equal(2, Packets.Block((await peer.ExpectAsync()).Buffer));
        await peer.SendAsync(Packets.Error(0, "enough"), first.RemoteEndPoint);
        await server.WaitIdleAsync();
        Assert.Empty(stranger.Queued());
    }

    [Fact]
    public async Task F6_the_sender_and_the_receiver_never_answer_an_error_from_a_stranger()
    {
        var model = new ModelReceiver(8, 1);
        var sending = new ScriptedChannel(new ManualTimeProvider())
        {
            OnSend = packet => new[] { (Packets.Error(5, "x"), TftpPacketSource.Stranger) }.Concat(model.OnSend(packet)).ToList(),
        };
        await new DataSender(sending, Settings(), new MemoryStream(new byte[20]), new TransferCounters(), sending.Time).RunAsync(CancellationToken.None);
        Assert.Empty(sending.Replies);

        var receiving = new ScriptedChannel(new ManualTimeProvider());
        receiving.Enqueue(Packets.Error(5, "x"), TftpPacketSource.Stranger);
        receiving.Enqueue(Packets.Data(1, new byte[3]));
        await new DataReceiver(receiving, Settings(), new MemoryStream(), new TransferCounters(), receiving.Time).RunAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Empty(receiving.Replies);

        var oack = new ScriptedChannel(new ManualTimeProvider());
        oack.Enqueue(Packets.Error(5, "x"), TftpPacketSource.Stranger);
        oack.Enqueue(Packets.Ack(0));
        await new OackSender(oack, TimeSpan.FromSeconds(1), 3, new TransferCounters(), oack.Time).RunAsync(Packets.Oack("blksize", "8"), CancellationToken.None);
        Assert.Empty(oack.Replies);
    }

    // F7: a path component longer than NAME_MAX (255 bytes) cannot exist on the server: ERROR 2,
    // with the component's length and the limit, not ERROR 0 "I/O error" (ENAMETOOLONG).
    [Theory]
    [InlineData(1, 256)]
    [InlineData(2, 256)]
    [InlineData(1, 300)]
    public async Task F7_a_path_component_of_256_bytes_or_more_is_an_access_violation_that_says_why(int opcode, int length)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true));
        Directory.CreateDirectory(Path.Join(server.Root.Path, "sub"));
        string name = "sub/" + new string('a', length);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(opcode, name, "octet"), server.EndPoint);
        TftpErrorPacket error = await ExpectErrorAsync(peer);
        Assert.Equal(TftpErrorCode.AccessViolation, error.Code);
        string why = $"has a {length}-byte path component; the limit is 255 bytes";
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        await server.WaitIdleAsync();
        Assert.Contains(why, server.Transfers.Single().Error, StringComparison.Ordinal);
        Assert.Equal(["sub"], Directory.GetFileSystemEntries(server.Root.Path).Select(Path.GetFileName));
    }

    // F8: RFC 1350 figure 5-3, an ACK is exactly 4 bytes. A longer one (here 5,004 bytes, cut at
    // the 1024-byte receive buffer) is refused as oversized with ERROR 4, never taken as ACK 1.
    // F9: a 3-byte ACK is truncated, and the error says so (not "expected an ACK, got opcode 4").
    [Theory]
    [InlineData(5004, "an oversized ACK: at least 1024 bytes")]
    [InlineData(3, "a truncated ACK: 3 bytes")]
    public async Task F8_F9_an_ack_that_is_not_4_bytes_is_refused_as_oversized_or_truncated(int length, string found)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("f", new byte[3 * 512]);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        byte[] ack = new byte[length];
        Packets.Ack(1).AsSpan(0, Math.Min(4, length)).CopyTo(ack);
        await peer.SendAsync(ack, first.RemoteEndPoint);
        TftpErrorPacket error = await ExpectErrorAsync(peer);
        Assert.Equal(TftpErrorCode.IllegalOperation, error.Code);
        Assert.Equal($"expected an ACK, got {found}, an ACK is exactly 4 bytes", error.Message);
        await server.WaitIdleAsync();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(516)]
    public async Task F8_the_sender_refuses_an_ack_with_trailing_bytes(int length)
    {
        byte[] ack = new byte[length];
        Packets.Ack(1).CopyTo(ack, 0);
        var channel = new ScriptedChannel(new ManualTimeProvider()) { OnSend = _ => new[] { (ack, TftpPacketSource.Peer) } };
        var sender = new DataSender(channel, Settings(), new MemoryStream(new byte[20]), new TransferCounters(), channel.Time);
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => sender.RunAsync(CancellationToken.None));
        Assert.Equal(TftpErrorCode.IllegalOperation, e.ErrorCode);
        Assert.Equal($"expected an ACK, got an oversized ACK: {length} bytes, an ACK is exactly 4 bytes", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0, 4, 0 })]
    [InlineData(new byte[] { 0, 4, 0, 0, 0 })]
    public async Task F8_F9_a_client_refuses_an_answer_to_its_write_that_is_not_a_4_byte_ack(byte[] answer)
    {
        using var fakeServer = new RawPeer();
        var client = new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromSeconds(2), MaxRetries = 1 });
        Task<TftpTransferResult> put = client.PutAsync(fakeServer.LocalEndPoint, "f", new MemoryStream(new byte[10]));
        UdpReceiveResult request = await fakeServer.ExpectAsync();
        using var transfer = new RawPeer();
        await transfer.SendAsync(answer, request.RemoteEndPoint);
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => put);
        Assert.Equal(TftpErrorCode.IllegalOperation, e.ErrorCode);
        Assert.Contains(answer.Length < 4 ? "truncated ACK" : "oversized ACK", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void F8_F9_only_a_4_byte_ack_parses()
    {
        Assert.True(TftpAckPacket.TryParse([0, 4, 0, 1], out TftpAckPacket ack));
        Assert.Equal(1, ack.Block);
        Assert.False(TftpAckPacket.TryParse([0, 4, 0], out _));
        Assert.False(TftpAckPacket.TryParse([0, 4, 0, 1, 0], out _));
    }
}
