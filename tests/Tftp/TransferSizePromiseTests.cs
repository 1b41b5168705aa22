using System.Net;
using System.Net.Sockets;
using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// The announced tsize is a promise (RFC 2349): more data is refused as it arrives, less is an
/// error at the end. And a server that refuses the options (ERROR 8, RFC 2347) gets a second,
/// plain RFC 1350 request from a new port.
/// </summary>
public sealed class TransferSizePromiseTests
{
    private static bool IsRequest(byte[] packet) => Packets.Opcode(packet) == (ushort)TftpOpcode.ReadRequest;

    private static async Task<(Exception? Error, MemoryStream Output)> RunAsync(string tsize, int blocks)
    {
        var time = new ManualTimeProvider();
        var channel = new ScriptedChannel(time)
        {
            OnSend = p =>
            {
                if (IsRequest(p))
                {
                    return [(Packets.Oack("blksize", "512", "tsize", tsize), TftpPacketSource.PeerHost)];
                }

                int next = Packets.Block(p) + 1;
                return Packets.Opcode(p) == (ushort)TftpOpcode.Ack && next <= blocks
                    ? [(Packets.Data(next, new byte[next < blocks ? 512 : 100]), TftpPacketSource.Peer)]
                    : [];
            },
        };
        var output = new MemoryStream();
        try
        {
            await new TftpClient(new TftpClientOptions { BlockSize = 512 }, time).GetAsync(channel, "golden.rsim", output);
            return (null, output);
        }
        catch (TftpException e)
        {
            return (e, output);
        }
    }

    [Fact]
    public async Task Data_past_the_announced_tsize_is_refused_before_it_is_written()
    {
        (Exception? error, MemoryStream output) = await RunAsync("600", blocks: 3);
        Assert.Contains("size limit of 600 bytes", Assert.IsType<TftpProtocolException>(error).Message, StringComparison.Ordinal);
        Assert.True(output.Length <= 600, $"{output.Length} bytes written past the promise");
    }

    [Fact]
    public async Task A_transfer_that_ends_short_of_the_announced_tsize_fails()
    {
        (Exception? error, _) = await RunAsync("5000", blocks: 2);
        Assert.Contains("announced tsize 5000", Assert.IsType<TftpProtocolException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transfer_of_exactly_the_announced_tsize_succeeds()
    {
        (Exception? error, MemoryStream output) = await RunAsync("1124", blocks: 3);
        Assert.Null(error);
        Assert.Equal(1124, output.Length);
    }

    [Fact]
    public async Task A_server_that_refuses_options_gets_a_plain_rfc1350_request()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = (IPEndPoint)server.Client.LocalEndPoint!;
        var client = new TftpClient(new TftpClientOptions { BlockSize = 1468, WindowSize = 8, Timeout = TimeSpan.FromSeconds(2), ReceiveSpin = TimeSpan.Zero });
        var output = new MemoryStream();
        Task<TftpTransferResult> get = client.GetAsync(endPoint, "golden.rsim", output);

        UdpReceiveResult first = await server.ReceiveAsync();
        Assert.Contains("blksize", System.Text.Encoding.ASCII.GetString(first.Buffer), StringComparison.Ordinal);
        await server.SendAsync(Packets.Error(8, "no options here"), first.RemoteEndPoint);

        UdpReceiveResult second = await server.ReceiveAsync();
        Assert.NotEqual(first.RemoteEndPoint, second.RemoteEndPoint);
        Assert.Equal(["golden.rsim", "octet"], System.Text.Encoding.ASCII.GetString(second.Buffer, 2, second.Buffer.Length - 3).Split('\0'));
        await server.SendAsync(Packets.Data(1, new byte[10]), second.RemoteEndPoint);
        UdpReceiveResult ack = await server.ReceiveAsync();
        Assert.Equal(1, Packets.Block(ack.Buffer));

        TftpTransferResult result = await get;
        Assert.Equal(10, result.Bytes);
        Assert.Equal(512, result.Options.BlockSize);
    }

    [Fact]
    public async Task A_request_to_a_port_where_nothing_listens_fails_at_once()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        var client = new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromSeconds(30), MaxRetries = 5 });
        var e = await Assert.ThrowsAsync<TftpUnreachableException>(() => client.GetAsync(new IPEndPoint(IPAddress.Loopback, port), "golden.rsim", new MemoryStream()));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }
}
