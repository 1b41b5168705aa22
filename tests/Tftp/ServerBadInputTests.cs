using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

/// <summary>The "Bad input" list against a real server on loopback: nothing crashes, hangs or escapes.</summary>
public sealed class ServerBadInputTests
{
    private static TftpClient Client() => new(new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 3 });

    /// <summary>After any abuse, the server still serves a normal request.</summary>
    private static async Task AssertStillServesAsync(LoopbackServer server)
    {
        server.Root.Write("ok.txt", "fine"u8.ToArray());
        var output = new MemoryStream();
        await Client().GetAsync(server.EndPoint, "ok.txt", output);
        Assert.Equal("fine"u8.ToArray(), output.ToArray());
    }

    private static async Task<(TftpErrorCode Code, string Message)> ExpectErrorAsync(RawPeer peer)
    {
        UdpReceiveResult reply = await peer.ExpectAsync();
        Assert.True(TftpErrorPacket.TryParse(reply.Buffer, out TftpErrorPacket error), $"expected an ERROR, got opcode {Packets.Opcode(reply.Buffer)}");
        return (error.Code, error.Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0 })]
    public async Task Datagrams_too_short_for_an_opcode_are_dropped(byte[] datagram)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using var peer = new RawPeer();
        await peer.SendAsync(datagram, server.EndPoint);
        TftpRequestLogEntry dropped = Assert.Single(await server.ProbeAsync(peer));
        Assert.Contains("too short for an opcode", dropped.Reason, StringComparison.Ordinal);
        await AssertStillServesAsync(server);
    }

    [Theory]
    [InlineData(new byte[] { 0, 1 }, TftpErrorCode.IllegalOperation)]
    [InlineData(new byte[] { 0, 1, 0 }, TftpErrorCode.IllegalOperation)]
    [InlineData(new byte[] { 0, 2, (byte)'x' }, TftpErrorCode.IllegalOperation)]
    [InlineData(new byte[] { 0, 1, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }, TftpErrorCode.IllegalOperation)] // no NULs
    [InlineData(new byte[] { 0, 0, (byte)'a', 0, (byte)'o', 0 }, TftpErrorCode.IllegalOperation)]            // opcode 0
    [InlineData(new byte[] { 0, 7, (byte)'a', 0, (byte)'o', 0 }, TftpErrorCode.IllegalOperation)]            // opcode 7
    [InlineData(new byte[] { 0, 6, (byte)'a', 0, (byte)'1', 0 }, TftpErrorCode.IllegalOperation)]            // OACK
    [InlineData(new byte[] { 0xFF, 0xFF, (byte)'a', 0, (byte)'o', 0 }, TftpErrorCode.IllegalOperation)]      // opcode 0xFFFF
    [InlineData(new byte[] { 0, 3, 0, 1, 1, 2, 3 }, TftpErrorCode.UnknownTransferId)]                          // DATA to the listening port
    [InlineData(new byte[] { 0, 4, 0, 1 }, TftpErrorCode.UnknownTransferId)]                                   // ACK to the listening port
    public async Task Malformed_or_misdirected_packets_are_refused(byte[] datagram, TftpErrorCode expected)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using var peer = new RawPeer();
        await peer.SendAsync(datagram, server.EndPoint);
        Assert.Equal(expected, (await ExpectErrorAsync(peer)).Code);
        await AssertStillServesAsync(server);
    }

    [Fact]
    public async Task An_error_to_the_listening_port_is_never_answered()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Error(0, "hello"), server.EndPoint);
        TftpRequestLogEntry dropped = Assert.Single(await server.ProbeAsync(peer));
        Assert.Equal("dropped: ERROR packet to the listening port", dropped.Reason);
    }

    [Theory]
    [InlineData("blksize")]                           // option without value
    [InlineData("blksize", "abc")]                    // non-numeric
    [InlineData("blksize", "4")]                      // below 8
    [InlineData("blksize", "-5")]
    [InlineData("windowsize", "0")]
    [InlineData("windowsize", "x")]
    public async Task Bad_options_are_refused_with_error_8(params string[] option)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("f", new byte[10]);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, ["f", "octet", .. option]), server.EndPoint);
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, (await ExpectErrorAsync(peer)).Code);
    }

    [Fact]
    public async Task A_thousand_options_exceed_512_bytes_and_are_dropped()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var strings = new List<string> { "f", "octet" };
        for (int i = 0; i < 1000; i++)
        {
            strings.Add("o");
            strings.Add("1");
        }

        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, strings.ToArray()), server.EndPoint);
        TftpRequestLogEntry dropped = Assert.Single(await server.ProbeAsync(peer));
        Assert.False(dropped.Accepted);
        Assert.Contains("512", dropped.Reason, StringComparison.Ordinal);
        await AssertStillServesAsync(server);
    }

    [Fact]
    public async Task Seventeen_options_are_refused()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var strings = new List<string> { "f", "octet" };
        for (int i = 0; i < 17; i++)
        {
            strings.Add("o" + i);
            strings.Add("1");
        }

        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, strings.ToArray()), server.EndPoint);
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, (await ExpectErrorAsync(peer)).Code);
    }

    [Theory]
    [InlineData("99999999999999999999999999", 65464)]
    [InlineData("100000", 65464)]
    [InlineData("1468", 1468)]
    [InlineData("8", 8)]
    public async Task Huge_blksize_values_are_lowered_never_raised(string asked, int granted)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("f", new byte[10]);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet", "BlkSize", asked, "unknown", "7", "timeout", "3", "timeout", "9"), server.EndPoint);
        UdpReceiveResult reply = await peer.ExpectAsync();
        TftpOackPacket oack = TftpOackPacket.Parse(reply.Buffer);
        // Unknown options are ignored; the name comes back as the client spelled it; the first timeout counts, echoed exactly.
        Assert.Equal([new TftpOption("BlkSize", granted.ToString(System.Globalization.CultureInfo.InvariantCulture)), new TftpOption("timeout", "3")], oack.Options);
        await peer.SendAsync(Packets.Error(0, "enough"), reply.RemoteEndPoint);
        await server.WaitIdleAsync();
    }

    [Fact]
    public async Task An_empty_file_gets_no_tsize_0_in_its_oack()
    {
        // curl refuses an OACK carrying "tsize 0" on a download.
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("empty", []);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "empty", "octet", "tsize", "0"), server.EndPoint);
        UdpReceiveResult reply = await peer.ExpectAsync();
        Assert.Equal(Packets.Data(1, []), reply.Buffer);
        await peer.SendAsync(Packets.Ack(1), reply.RemoteEndPoint);
        await server.WaitIdleAsync();
        Assert.Null((server.Transfers.Single()).Error);
    }

    public static TheoryData<string> Escapes => new()
    {
        "../secret", "a/../../secret", "sub/../../secret", "/etc/passwd", "//etc/passwd", "C:\\secret", "C:secret", "c:/secret",
        "sub\\..\\..\\secret", "..", ".", "./f", "sub/./f", "sub//f", "sub/", "a\u0001b", "a\u007Fb", "link-out", "dir-link-out/secret", "fifo", "sub", "dev-zero",
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Path_escapes_are_refused(string name)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using var outside = new TempDirectory();
        outside.Write("secret", "top secret"u8.ToArray());
        server.Root.Write("f", "inside"u8.ToArray());
        server.Root.Write("sub/f", "inside"u8.ToArray());
        File.CreateSymbolicLink(Path.Join(server.Root.Path, "link-out"), Path.Join(outside.Path, "secret"));
        Directory.CreateSymbolicLink(Path.Join(server.Root.Path, "dir-link-out"), outside.Path);
        File.CreateSymbolicLink(Path.Join(server.Root.Path, "dev-zero"), "/dev/zero");
        MakeFifo(Path.Join(server.Root.Path, "fifo"));

        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => Client().GetAsync(server.EndPoint, name, new MemoryStream()));
        Assert.True(e.FromPeer);
        Assert.Contains(e.ErrorCode, new[] { TftpErrorCode.AccessViolation, TftpErrorCode.FileNotFound });
        await server.WaitIdleAsync();
        await AssertStillServesAsync(server);
    }

    [Fact]
    public async Task A_symlink_inside_the_root_is_followed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("sub/real", "real"u8.ToArray());
        File.CreateSymbolicLink(Path.Join(server.Root.Path, "alias"), Path.Join(server.Root.Path, "sub", "real"));
        var output = new MemoryStream();
        await Client().GetAsync(server.EndPoint, "alias", output);
        Assert.Equal("real"u8.ToArray(), output.ToArray());
    }

    [Fact]
    public async Task A_flood_of_duplicate_acks_sends_no_extra_data()
    {
        // A client that acknowledges every block four times: the server must not answer repeats
        // with DATA (Sorcerer's Apprentice). Count the DATA packets: at most 1.3x the blocks.
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with { Timeout = TimeSpan.FromSeconds(2) });
        byte[] content = new byte[200 * 512 + 100];
        new Random(3).NextBytes(content);
        server.Root.Write("f", content);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        var received = new MemoryStream();
        int dataPackets = 0;
        int expected = 1;
        while (true)
        {
            UdpReceiveResult reply = await peer.ExpectAsync();
            byte[] packet = reply.Buffer;
            Assert.True(Packets.IsData(packet));
            dataPackets++;
            if (Packets.Block(packet) == expected)
            {
                received.Write(packet, 4, packet.Length - 4);
                expected++;
            }

            for (int i = 0; i < 4; i++)
            {
                await peer.SendAsync(Packets.Ack(Packets.Block(packet)), reply.RemoteEndPoint);
            }

            if (packet.Length < 516)
            {
                break;
            }
        }

        Assert.Equal(content, received.ToArray());
        Assert.True(dataPackets <= 1.3 * 201, $"{dataPackets} DATA packets for 201 blocks");
        await server.WaitIdleAsync();
    }

    [Fact]
    public async Task Acks_for_future_blocks_are_ignored()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] content = new byte[3 * 512];
        server.Root.Write("f", content);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        Assert.Equal(1, Packets.Block(first.Buffer));
        await peer.SendAsync(Packets.Ack(3), first.RemoteEndPoint);
        await peer.SendAsync(Packets.Ack(60000), first.RemoteEndPoint);
        await peer.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        UdpReceiveResult second = await peer.ExpectAsync();
        Assert.Equal(2, Packets.Block(second.Buffer));
        await peer.SendAsync(Packets.Error(0, "enough"), first.RemoteEndPoint);
        await server.WaitIdleAsync();
    }

    [Fact]
    public async Task A_client_that_never_acks_is_given_up_and_its_slot_freed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with
        {
            MaxTransfers = 1,
            Timeout = TimeSpan.FromMilliseconds(100),
            MaxRetries = 2,
        });
        server.Root.Write("f", new byte[2000]);
        using var silent = new RawPeer();
        await silent.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        for (int copy = 0; copy < 1 + 2; copy++)
        {
            Assert.Equal(1, Packets.Block((await silent.ExpectAsync()).Buffer));
        }

        // The end of the transfer in the log, not a wait for silence: by then the server has sent
        // its last copy, and its own count says there were two retransmissions, no more.
        TftpTransferLogEntry entry = Assert.Single(await server.WaitForTransfersAsync(1));
        Assert.Contains("no ACK", entry.Error, StringComparison.Ordinal);
        Assert.Equal(2, entry.Retransmissions);
        Assert.Empty(silent.Queued());
        await server.WaitIdleAsync();
        await AssertStillServesAsync(server);
    }

    [Fact]
    public async Task A_request_repeated_just_after_its_transfer_ended_is_dropped()
    {
        // The network delayed or duplicated the RRQ past the end of its transfer. Serving it
        // again would send DATA to a port the client has closed until the retries ran out.
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with
        {
            Timeout = TimeSpan.FromSeconds(5), // a 10 s window: no test timing reaches its end
        });
        server.Root.Write("f", [1, 2, 3]);
        server.Root.Write("g", [4, 5]);
        using var client = new RawPeer();
        byte[] request = Packets.Strings(1, "f", "octet");
        await client.SendAsync(request, server.EndPoint);
        UdpReceiveResult data = await client.ExpectAsync();
        Assert.Equal(new byte[] { 0, 3, 0, 1, 1, 2, 3 }, data.Buffer);
        await client.SendAsync(Packets.Ack(1), data.RemoteEndPoint);
        await server.WaitIdleAsync();

        await client.SendAsync(request, server.EndPoint);
        TftpRequestLogEntry repeat = (await server.ProbeAsync(client))[^1];
        Assert.False(repeat.Accepted); // so no transfer started that could send DATA later
        Assert.Equal("dropped: repeated request of a transfer that just ended", repeat.Reason);
        Assert.Single(server.Transfers);

        // Another file from the same port is a new request, served at once.
        await client.SendAsync(Packets.Strings(1, "g", "octet"), server.EndPoint);
        Assert.Equal(new byte[] { 0, 3, 0, 1, 4, 5 }, (await client.ExpectAsync()).Buffer);
    }

    [Fact]
    public async Task Caps_on_transfers_refuse_with_busy()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with
        {
            MaxTransfers = 3,
            MaxTransfersPerClient = 1,
            Timeout = TimeSpan.FromSeconds(2),
        });
        server.Root.Write("f", new byte[2000]);
        using var first = new RawPeer();
        using var second = new RawPeer();
        await first.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        await first.ExpectAsync();
        // Same address (127.0.0.1), other port: over the per-client cap.
        await second.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        (TftpErrorCode code, string message) = await ExpectErrorAsync(second);
        Assert.Equal(TftpErrorCode.NotDefined, code);
        Assert.Contains("limit is 1", message, StringComparison.Ordinal);
        // A repeated request from the running transfer's own port is not a second transfer.
        await first.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        Assert.Single(server.Server.ActiveTransfers);
        Assert.Contains(server.Requests, r => r.Reason?.Contains("repeated", StringComparison.Ordinal) == true || r.Accepted);
    }

    [Fact]
    public async Task Dallying_after_a_write_does_not_hold_a_slot()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true) with
        {
            MaxTransfers = 1,
            Dally = TimeSpan.FromSeconds(30),
        });
        await Client().PutAsync(server.EndPoint, "one", new MemoryStream(new byte[100]));
        await Client().PutAsync(server.EndPoint, "two", new MemoryStream(new byte[100]));
        await server.WaitIdleAsync();
        Assert.Equal(2, server.Transfers.Count(t => t.Error is null));
    }

    [Fact]
    public async Task Writes_are_refused_on_a_read_only_server()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => Client().PutAsync(server.EndPoint, "new", new MemoryStream(new byte[10])));
        Assert.Equal(TftpErrorCode.AccessViolation, e.ErrorCode);
        Assert.False(File.Exists(Path.Join(server.Root.Path, "new")));
    }

    [Fact]
    public async Task Writes_never_overwrite_unless_asked()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true));
        server.Root.Write("old", "keep me"u8.ToArray());
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => Client().PutAsync(server.EndPoint, "old", new MemoryStream(new byte[10])));
        Assert.Equal(TftpErrorCode.FileAlreadyExists, e.ErrorCode);
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(Path.Join(server.Root.Path, "old")));

        foreach (string escape in new[] { "../x", "/tmp/x", "sub/../x", "a\\b" })
        {
            await Assert.ThrowsAsync<TftpProtocolException>(() => Client().PutAsync(server.EndPoint, escape, new MemoryStream(new byte[10])));
        }

        await server.WaitIdleAsync();
        Assert.Equal(["old"], Directory.GetFileSystemEntries(server.Root.Path).Select(Path.GetFileName).Where(n => n != "ok.txt"));
    }

    [Fact]
    public async Task A_failed_write_leaves_nothing_and_damages_nothing()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true, overwrite: true) with
        {
            Timeout = TimeSpan.FromMilliseconds(100),
            MaxRetries = 1,
        });
        server.Root.Write("old", "keep me"u8.ToArray());
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(2, "old", "octet"), server.EndPoint);
        UdpReceiveResult ack0 = await peer.ExpectAsync();
        Assert.Equal(Packets.Ack(0), ack0.Buffer);
        await peer.SendAsync(Packets.Data(1, new byte[512]), ack0.RemoteEndPoint);
        await peer.ExpectAsync();
        // ... and the client vanishes.
        await server.WaitIdleAsync();
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(Path.Join(server.Root.Path, "old")));
        Assert.Equal(["old"], Directory.GetFileSystemEntries(server.Root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_write_tsize_over_the_limit_is_refused()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true) with { MaxWriteSize = 1000 });
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => Client().PutAsync(server.EndPoint, "big", new MemoryStream(new byte[1001])));
        Assert.Equal(TftpErrorCode.DiskFull, e.ErrorCode);
    }

    [Fact]
    public async Task A_stranger_during_a_transfer_gets_error_5_and_the_transfer_goes_on()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] content = new byte[3 * 512 + 1];
        new Random(9).NextBytes(content);
        server.Root.Write("f", content);
        using var peer = new RawPeer();
        using var stranger = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "octet"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        await stranger.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        (TftpErrorCode code, _) = await ExpectErrorAsync(stranger);
        Assert.Equal(TftpErrorCode.UnknownTransferId, code);

        var received = new MemoryStream();
        received.Write(first.Buffer, 4, first.Buffer.Length - 4);
        await peer.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        for (int block = 2; block <= 4; block++)
        {
            UdpReceiveResult data = await peer.ExpectAsync();
            Assert.Equal(block, Packets.Block(data.Buffer));
            received.Write(data.Buffer, 4, data.Buffer.Length - 4);
            await peer.SendAsync(Packets.Ack(block), first.RemoteEndPoint);
        }

        Assert.Equal(content, received.ToArray());
    }

    [Fact]
    public async Task Unsupported_modes_are_refused()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("f", new byte[1]);
        using var peer = new RawPeer();
        await peer.SendAsync(Packets.Strings(1, "f", "mail"), server.EndPoint);
        (TftpErrorCode code, string message) = await ExpectErrorAsync(peer);
        Assert.Equal(TftpErrorCode.IllegalOperation, code);
        Assert.Contains("mail", message, StringComparison.Ordinal);
    }

    private static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", path);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
