using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

/// <summary>The server as a lab service (issue 13): access lists, reload, graceful stop, read size limit and metrics, on loopback.</summary>
public sealed class ServiceFeaturesTests
{
    private static byte[] Rrq(string file) => Packets.Strings(1, file, "octet");

    private static byte[] Wrq(string file) => Packets.Strings(2, file, "octet");

    private static async Task<UdpReceiveResult> ExpectErrorAsync(RawPeer peer, TftpErrorCode code)
    {
        for (int i = 0; i < 20; i++)
        {
            UdpReceiveResult reply = await peer.ExpectAsync();
            if (Packets.Opcode(reply.Buffer) == (ushort)TftpOpcode.Error)
            {
                Assert.True(Packets.IsError(reply.Buffer, code), $"expected ERROR {(int)code}, got ERROR {Packets.Block(reply.Buffer)}");
                return reply;
            }
        }

        throw new Xunit.Sdk.XunitException("no ERROR among 20 datagrams");
    }

    [Theory]
    [InlineData("10.0.0.0/8", null)]
    [InlineData(null, "127.0.0.0/8")]
    [InlineData("127.0.0.0/8", "127.0.0.1/32")]
    public async Task A_client_outside_allow_or_inside_deny_gets_ERROR_2_a_log_line_and_no_data(string? allow, string? deny)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with
        {
            Allow = allow is null ? [] : [IPNetwork.Parse(allow)],
            Deny = deny is null ? [] : [IPNetwork.Parse(deny)],
        });
        server.Root.Write("secret.bin", new byte[2000]);
        using var peer = new RawPeer();
        await peer.SendAsync(Rrq("secret.bin"), server.EndPoint);
        UdpReceiveResult reply = await peer.ExpectAsync();
        Assert.True(Packets.IsError(reply.Buffer, TftpErrorCode.AccessViolation));
        Assert.Equal(server.EndPoint, reply.RemoteEndPoint); // from the listening port
        TftpRequestLogEntry entry = Assert.Single(await server.ProbeAsync(peer));
        Assert.False(entry.Accepted); // so no transfer started that could send data later
        Assert.Contains("refused with ERROR 2: client 127.0.0.1 is in", entry.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Transfers);
    }

    [Fact]
    public async Task An_IPv6_client_is_checked_against_IPv6_networks()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, address: IPAddress.IPv6Loopback) with
        {
            Allow = [IPNetwork.Parse("::1/128")],
        });
        server.Root.Write("f.bin", [1, 2, 3]);
        var output = new MemoryStream();
        await new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(200) }).GetAsync(server.EndPoint, "f.bin", output);
        Assert.Equal([1, 2, 3], output.ToArray());

        server.Server.Reconfigure(server.Server.Options with { Allow = [IPNetwork.Parse("fd00::/8")] });
        using var peer = new RawPeer(AddressFamily.InterNetworkV6);
        await peer.SendAsync(Rrq("f.bin"), server.EndPoint);
        Assert.True(Packets.IsError((await peer.ExpectAsync()).Buffer, TftpErrorCode.AccessViolation));
    }

    [Fact]
    public void An_IPv4_mapped_client_matches_IPv4_networks()
    {
        var options = new TftpServerOptions { Root = ".", Allow = [IPNetwork.Parse("192.168.0.0/16")], Deny = [IPNetwork.Parse("192.168.7.0/24")] };
        Assert.Null(options.AccessRefusal(IPAddress.Parse("::ffff:192.168.1.2")));
        Assert.NotNull(options.AccessRefusal(IPAddress.Parse("::ffff:192.168.7.2")));
        Assert.NotNull(options.AccessRefusal(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public async Task Reconfigure_applies_to_new_requests_while_a_transfer_in_flight_keeps_its_settings()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] content = new byte[512 * 3 + 7];
        new Random(13).NextBytes(content);
        server.Root.Write("f.bin", content);
        using var peer = new RawPeer();
        await peer.SendAsync(Rrq("f.bin"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        Assert.Equal(1, Packets.Block(first.Buffer));

        // Now nobody from loopback may start a transfer; the one running goes on to its end.
        server.Server.Reconfigure(server.Server.Options with { Deny = [IPNetwork.Parse("127.0.0.0/8")] });
        using (var other = new RawPeer())
        {
            await other.SendAsync(Rrq("f.bin"), server.EndPoint);
            Assert.True(Packets.IsError((await other.ExpectAsync()).Buffer, TftpErrorCode.AccessViolation));
        }

        var received = new MemoryStream();
        received.Write(first.Buffer, 4, first.Buffer.Length - 4);
        int block = 1;
        while (true)
        {
            await peer.SendAsync(Packets.Ack(block), first.RemoteEndPoint);
            if (received.Length == content.Length)
            {
                break;
            }

            UdpReceiveResult data = await peer.ExpectAsync();
            if (Packets.IsData(data.Buffer) && Packets.Block(data.Buffer) == block + 1)
            {
                block++;
                received.Write(data.Buffer, 4, data.Buffer.Length - 4);
            }
        }

        Assert.Equal(content, received.ToArray());
        await server.WaitIdleAsync();
        Assert.Null(Assert.Single(server.Transfers).Error);
    }

    [Fact]
    public async Task Reconfigure_with_a_bad_setting_or_root_keeps_the_old_settings()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TftpServerOptions before = server.Server.Options;
        Assert.Throws<ArgumentException>(() => server.Server.Reconfigure(before with { MaxTransfers = 0 }));
        Assert.Throws<DirectoryNotFoundException>(() => server.Server.Reconfigure(before with { Root = Path.Join(server.Root.Path, "missing") }));
        Assert.Same(before, server.Server.Options);
        server.Root.Write("ok.txt", [42]);
        var output = new MemoryStream();
        await new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(200) }).GetAsync(server.EndPoint, "ok.txt", output);
        Assert.Equal([42], output.ToArray());
    }

    [Fact]
    public async Task A_graceful_stop_closes_the_port_and_lets_a_transfer_in_flight_finish()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("f.bin", new byte[700]);
        using var peer = new RawPeer();
        await peer.SendAsync(Rrq("f.bin"), server.EndPoint);
        UdpReceiveResult first = await peer.ExpectAsync();
        Task stop = server.Server.StopAsync(TimeSpan.FromSeconds(30));
        Assert.False(stop.IsCompleted);
        await peer.SendAsync(Packets.Ack(1), first.RemoteEndPoint);
        UdpReceiveResult second;
        do
        {
            second = await peer.ExpectAsync();
        }
        while (Packets.Block(second.Buffer) != 2);

        Assert.Equal(700 - 512, second.Buffer.Length - 4);
        await peer.SendAsync(Packets.Ack(2), first.RemoteEndPoint);
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(Assert.Single(server.Transfers).Error);

        // The port is closed: a request to it draws an ICMP port unreachable, which a connected
        // socket reports as refused (a positive sign, not a wait for silence).
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await late.ConnectAsync(server.EndPoint);
        await late.SendAsync(Rrq("f.bin"));
        using var bound = new CancellationTokenSource(LoopbackServer.Bound);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await late.ReceiveAsync(new byte[600], bound.Token));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_stop_after_its_grace_cuts_a_read_with_an_ERROR()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with { Timeout = TimeSpan.FromSeconds(5) });
        server.Root.Write("f.bin", new byte[5000]);
        using var peer = new RawPeer();
        await peer.SendAsync(Rrq("f.bin"), server.EndPoint);
        await peer.ExpectAsync();
        await server.Server.StopAsync(TimeSpan.FromMilliseconds(100)).WaitAsync(TimeSpan.FromSeconds(10));
        UdpReceiveResult error = await ExpectErrorAsync(peer, TftpErrorCode.NotDefined);
        Assert.Contains("shutting down", System.Text.Encoding.ASCII.GetString(error.Buffer), StringComparison.Ordinal);
        Assert.Equal("server stopped", Assert.Single(server.Transfers).Error);
    }

    [Fact]
    public async Task An_upload_cut_by_a_stop_leaves_no_file()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true) with { Timeout = TimeSpan.FromSeconds(5) });
        using var peer = new RawPeer();
        await peer.SendAsync(Wrq("up.bin"), server.EndPoint);
        UdpReceiveResult ack0 = await peer.ExpectAsync();
        Assert.Equal((ushort)TftpOpcode.Ack, Packets.Opcode(ack0.Buffer));
        await peer.SendAsync(Packets.Data(1, new byte[512]), ack0.RemoteEndPoint);
        await peer.ExpectAsync(); // ACK 1: the first block is in the temporary file
        await server.Server.StopAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromSeconds(10));
        await ExpectErrorAsync(peer, TftpErrorCode.NotDefined);
        Assert.Empty(Directory.EnumerateFileSystemEntries(server.Root.Path));
    }

    [Fact]
    public async Task A_file_over_the_read_limit_is_refused_with_ERROR_2()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root) with { MaxReadSize = 1000 });
        server.Root.Write("small.bin", new byte[1000]);
        server.Root.Write("big.bin", new byte[1001]);
        var client = new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(200) });
        await client.GetAsync(server.EndPoint, "small.bin", new MemoryStream());
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => client.GetAsync(server.EndPoint, "big.bin", new MemoryStream()));
        Assert.Equal(TftpErrorCode.AccessViolation, e.ErrorCode);
        Assert.Contains("over the read limit of 1000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_meter_counts_requests_refusals_transfers_bytes_and_active_transfers()
    {
        var factory = new ScopedMeterFactory();
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name + string.Concat(tags.ToArray().Select(t => $",{t.Key}={t.Value}"));
            lock (totals)
            {
                totals[key] = instrument is ObservableInstrument<long> ? value : totals.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        var root = new TempDirectory();
        await using (var server = new TftpServer(LoopbackServer.Options(root.Path) with { Deny = [IPNetwork.Parse("127.0.0.2/32")] }, meters: factory))
        {
            await server.StartAsync(CancellationToken.None);
            root.Write("f.bin", new byte[3000]);
            await new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(200) }).GetAsync(server.LocalEndPoint, "f.bin", new MemoryStream());
            using var peer = new RawPeer();
            await peer.SendAsync(Wrq("x"), server.LocalEndPoint); // read-only: refused
            await peer.ExpectAsync();
            await peer.SendAsync(Rrq("f.bin"), server.LocalEndPoint); // held open: active
            await peer.ExpectAsync();
            listener.RecordObservableInstruments();
        }

        root.Dispose();
        Assert.Equal(3, totals["tftp.server.requests,operation=read"] + totals["tftp.server.requests,operation=write"]);
        Assert.Equal(1, totals["tftp.server.refusals,reason=read-only"]);
        Assert.Equal(1, totals["tftp.server.transfers,operation=read,outcome=completed"]);
        Assert.Equal(1, totals["tftp.server.transfers,operation=read,outcome=cancelled"]);
        Assert.Equal(3000 + 512, totals["tftp.server.bytes,operation=read"]);
        Assert.Equal(1, totals["tftp.server.active_transfers"]);
    }

    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            meters.Add(meter);
            return meter;
        }

        public void Dispose() => meters.ForEach(m => m.Dispose());
    }
}
