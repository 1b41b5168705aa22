using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>The client against scripted servers (no sockets): everything a bad server can do.</summary>
public sealed class ClientStateTests
{
    private static async Task<(ScriptedChannel Channel, Task<TftpTransferResult> Run, MemoryStream Output)> GetAsync(
        TftpClientOptions options, Func<byte[], IEnumerable<(byte[], TftpPacketSource)>> server)
    {
        var time = new ManualTimeProvider();
        var channel = new ScriptedChannel(time) { OnSend = server };
        var client = new TftpClient(options, time);
        var output = new MemoryStream();
        Task<TftpTransferResult> run = client.RunAsync(channel, TftpOperation.Read, "f", output, null, CancellationToken.None);
        try
        {
            await run;
        }
        catch (TftpException)
        {
        }

        return (channel, run, output);
    }

    private static bool IsRequest(byte[] packet) => Packets.Opcode(packet) == (ushort)TftpOpcode.ReadRequest;

    private static async Task<TftpProtocolException> RefusedAsync(TftpClientOptions options, Func<byte[], IEnumerable<(byte[], TftpPacketSource)>> server, TftpErrorCode code)
    {
        (ScriptedChannel channel, Task<TftpTransferResult> run, MemoryStream _) = await GetAsync(options, server);
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => run);
        Assert.False(e.FromPeer);
        Assert.Equal(code, e.ErrorCode);
        // The server is told why (RFC 1350 section 7).
        Assert.True(Packets.IsError(channel.Sent[^1], code), "the last packet sent is the ERROR");
        return e;
    }

    [Fact]
    public async Task An_oack_granting_a_larger_blksize_is_refused()
    {
        var e = await RefusedAsync(new TftpClientOptions { BlockSize = 1024 },
            p => IsRequest(p) ? [(Packets.Oack("blksize", "1468"), TftpPacketSource.PeerHost)] : [], TftpErrorCode.OptionNegotiationFailed);
        Assert.Contains("blksize 1468", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oack_granting_a_larger_windowsize_is_refused() =>
        await RefusedAsync(new TftpClientOptions { WindowSize = 4 },
            p => IsRequest(p) ? [(Packets.Oack("windowsize", "8"), TftpPacketSource.PeerHost)] : [], TftpErrorCode.OptionNegotiationFailed);

    [Fact]
    public async Task An_oack_granting_an_option_never_asked_for_is_refused()
    {
        var e = await RefusedAsync(new TftpClientOptions { RequestTransferSize = false },
            p => IsRequest(p) ? [(Packets.Oack("blksize", "512"), TftpPacketSource.PeerHost)] : [], TftpErrorCode.OptionNegotiationFailed);
        Assert.Contains("never asked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oack_changing_the_timeout_is_refused() =>
        await RefusedAsync(new TftpClientOptions { NegotiateTimeout = true, Timeout = TimeSpan.FromSeconds(3) },
            p => IsRequest(p) ? [(Packets.Oack("timeout", "5"), TftpPacketSource.PeerHost)] : [], TftpErrorCode.OptionNegotiationFailed);

    [Fact]
    public async Task An_oack_without_its_last_nul_is_refused()
    {
        byte[] oack = Packets.Oack("tsize", "100");
        await RefusedAsync(new TftpClientOptions(),
            p => IsRequest(p) ? [(oack[..^1], TftpPacketSource.PeerHost)] : [], TftpErrorCode.IllegalOperation);
    }

    [Fact]
    public async Task A_tsize_over_the_limit_is_refused_before_any_data() =>
        await RefusedAsync(new TftpClientOptions { MaxTransferSize = 1000 },
            p => IsRequest(p) ? [(Packets.Oack("tsize", "1001"), TftpPacketSource.PeerHost)] : [], TftpErrorCode.DiskFull);

    [Fact]
    public async Task A_first_block_other_than_1_is_refused() =>
        await RefusedAsync(new TftpClientOptions(),
            p => IsRequest(p) ? [(Packets.Data(2, new byte[5]), TftpPacketSource.PeerHost)] : [], TftpErrorCode.IllegalOperation);

    [Fact]
    public async Task Oversized_data_is_refused() =>
        await RefusedAsync(new TftpClientOptions(),
            p => IsRequest(p) ? [(Packets.Data(1, new byte[600]), TftpPacketSource.PeerHost)] : [], TftpErrorCode.IllegalOperation);

    [Fact]
    public async Task Endless_data_is_stopped_at_the_size_limit()
    {
        int block = 0;
        await RefusedAsync(new TftpClientOptions { MaxTransferSize = 5000, RequestTransferSize = false },
            p => [(Packets.Data(++block, new byte[512]), IsRequest(p) ? TftpPacketSource.PeerHost : TftpPacketSource.Peer)], TftpErrorCode.DiskFull);
    }

    [Fact]
    public async Task Replies_from_other_hosts_are_not_taken_for_the_server()
    {
        byte[] content = new byte[100];
        (ScriptedChannel channel, Task<TftpTransferResult> run, MemoryStream output) = await GetAsync(new TftpClientOptions(),
            p => IsRequest(p)
                ? [(Packets.Data(1, new byte[7]), TftpPacketSource.Stranger), (Packets.Data(1, content), TftpPacketSource.PeerHost)]
                : []);
        await run;
        Assert.Equal(content, output.ToArray());
        Assert.True(channel.Locked);
    }

    [Fact]
    public async Task An_error_reply_is_reported_with_its_code()
    {
        (_, Task<TftpTransferResult> run, _) = await GetAsync(new TftpClientOptions(),
            p => IsRequest(p) ? [(Packets.Error(1, "no such file"), TftpPacketSource.PeerHost)] : []);
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => run);
        Assert.True(e.FromPeer);
        Assert.Equal(TftpErrorCode.FileNotFound, e.ErrorCode);
        Assert.Contains("no such file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout_after_the_retries()
    {
        (ScriptedChannel channel, Task<TftpTransferResult> run, _) = await GetAsync(new TftpClientOptions { MaxRetries = 3 }, _ => []);
        await Assert.ThrowsAsync<TftpTimeoutException>(() => run);
        Assert.Equal(4, channel.Sent.Count(IsRequest));
    }

    [Fact]
    public async Task An_oack_is_acknowledged_with_ack_0_and_its_options_are_used()
    {
        byte[] content = new byte[3000];
        new Random(5).NextBytes(content);
        (ScriptedChannel channel, Task<TftpTransferResult> run, MemoryStream output) = await GetAsync(
            new TftpClientOptions { BlockSize = 1468, WindowSize = 4 },
            p =>
            {
                if (IsRequest(p))
                {
                    return [(Packets.Oack("BLKSIZE", "1000", "windowsize", "2", "tsize", "3000"), TftpPacketSource.PeerHost)];
                }

                if (Packets.Block(p) == 0)
                {
                    return [(Packets.Data(1, content[..1000]), TftpPacketSource.Peer), (Packets.Data(2, content[1000..2000]), TftpPacketSource.Peer)];
                }

                return Packets.Block(p) == 2 ? [(Packets.Data(3, content[2000..]), TftpPacketSource.Peer), (Packets.Data(4, []), TftpPacketSource.Peer)] : [];
            });
        TftpTransferResult result = await run;
        Assert.Equal(content, output.ToArray());
        Assert.Equal(new TftpNegotiatedOptions(1000, 2, null, 3000), result.Options);
        Assert.Equal(Packets.Ack(0), channel.Sent[1]);
    }

    [Fact]
    public async Task A_repeated_oack_is_answered_with_ack_0_again()
    {
        byte[] content = new byte[700];
        new Random(8).NextBytes(content);
        int acks0 = 0;
        (ScriptedChannel channel, Task<TftpTransferResult> run, MemoryStream output) = await GetAsync(
            new TftpClientOptions { BlockSize = 512, RequestTransferSize = false },
            p =>
            {
                if (IsRequest(p))
                {
                    return [(Packets.Oack("blksize", "512"), TftpPacketSource.PeerHost)];
                }

                if (Packets.Block(p) == 0 && ++acks0 == 1)
                {
                    // As if our ACK 0 were lost: the server's OACK comes again.
                    return [(Packets.Oack("blksize", "512"), TftpPacketSource.Peer)];
                }

                return Packets.Block(p) == 0 ? [(Packets.Data(1, content[..512]), TftpPacketSource.Peer)]
                    : Packets.Block(p) == 1 ? [(Packets.Data(2, content[512..]), TftpPacketSource.Peer)] : [];
            });
        await run;
        Assert.Equal(content, output.ToArray());
        Assert.Equal(2, acks0);
    }

    [Fact]
    public async Task A_repeated_oack_during_a_write_is_ignored()
    {
        var time = new ManualTimeProvider();
        byte[] content = new byte[700];
        var received = new MemoryStream();
        int data1 = 0;
        var channel = new ScriptedChannel(time)
        {
            OnSend = p =>
            {
                if (Packets.Opcode(p) == (ushort)TftpOpcode.WriteRequest)
                {
                    return [(Packets.Oack("blksize", "512"), TftpPacketSource.PeerHost)];
                }

                if (Packets.Block(p) == 1 && ++data1 == 1)
                {
                    return [(Packets.Oack("blksize", "512"), TftpPacketSource.Peer)];
                }

                received.Write(p, 4, p.Length - 4);
                return [(Packets.Ack(Packets.Block(p)), TftpPacketSource.Peer)];
            },
        };
        TftpTransferResult result = await new TftpClient(new TftpClientOptions { BlockSize = 512, RequestTransferSize = false }, time)
            .RunAsync(channel, TftpOperation.Write, "f", new MemoryStream(content), null, CancellationToken.None);
        Assert.Equal(700, result.Bytes);
        Assert.Equal(2, data1);
        Assert.Equal(content, received.ToArray());
    }
}
