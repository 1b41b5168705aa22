using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

/// <summary>Our client against a hand-driven server over real sockets.</summary>
public sealed class ClientTidTests
{
    [Fact]
    public async Task A_server_that_changes_its_tid_gets_error_5_and_the_transfer_goes_on()
    {
        using var listening = new RawPeer();
        using var tid = new RawPeer();
        using var impostor = new RawPeer();
        var client = new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromSeconds(2), RequestTransferSize = false });
        var output = new MemoryStream();
        Task<TftpTransferResult> get = client.GetAsync(listening.LocalEndPoint, "f", output);

        UdpReceiveResult request = await listening.ExpectAsync();
        Assert.Equal((ushort)TftpOpcode.ReadRequest, Packets.Opcode(request.Buffer));
        IPEndPoint clientEndPoint = request.RemoteEndPoint;

        await tid.SendAsync(Packets.Data(1, new byte[512]), clientEndPoint);
        Assert.Equal(Packets.Ack(1), (await tid.ExpectAsync()).Buffer);

        // The "server" now answers from another port: that is another transfer ID.
        await impostor.SendAsync(Packets.Data(2, new byte[100]), clientEndPoint);
        UdpReceiveResult complaint = await impostor.ExpectAsync();
        Assert.True(Packets.IsError(complaint.Buffer, TftpErrorCode.UnknownTransferId));

        // The real transfer ID goes on and completes.
        await tid.SendAsync(Packets.Data(2, [1, 2, 3]), clientEndPoint);
        Assert.Equal(Packets.Ack(2), (await tid.ExpectAsync()).Buffer);
        TftpTransferResult result = await get;
        Assert.Equal(515, result.Bytes);
        Assert.Equal(515, output.Length);
    }

    [Fact]
    public async Task Oversized_data_from_a_real_socket_is_refused_and_reported()
    {
        using var server = new RawPeer();
        var client = new TftpClient(new TftpClientOptions { Timeout = TimeSpan.FromSeconds(2), RequestTransferSize = false });
        Task<TftpTransferResult> get = client.GetAsync(server.LocalEndPoint, "f", new MemoryStream());
        UdpReceiveResult request = await server.ExpectAsync();
        await server.SendAsync(Packets.Data(1, new byte[2000]), request.RemoteEndPoint);
        await Assert.ThrowsAsync<TftpProtocolException>(() => get);
        Assert.True(Packets.IsError((await server.ExpectAsync()).Buffer, TftpErrorCode.IllegalOperation));
    }
}
