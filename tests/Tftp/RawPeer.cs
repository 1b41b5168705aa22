using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Tftp.Tests;

/// <summary>A hand-driven UDP endpoint on loopback for sending arbitrary datagrams to a server.</summary>
public sealed class RawPeer : IDisposable
{
    private readonly UdpClient udp;

    public RawPeer(AddressFamily family = AddressFamily.InterNetwork)
    {
        udp = new UdpClient(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)udp.Client.LocalEndPoint!;

    public Task SendAsync(byte[] packet, IPEndPoint to) => udp.SendAsync(packet, to).AsTask();

    /// <summary>The next datagram, or null when none arrives within <paramref name="wait"/>.</summary>
    public async Task<UdpReceiveResult?> ReceiveAsync(TimeSpan? wait = null)
    {
        using var cancel = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(5));
        try
        {
            return await udp.ReceiveAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<UdpReceiveResult> ExpectAsync()
    {
        UdpReceiveResult? received = await ReceiveAsync();
        Assert.True(received.HasValue, "no datagram arrived within 5 s");
        return received.Value;
    }

    /// <summary>The datagrams already queued on the socket, without waiting for more.</summary>
    public List<byte[]> Queued()
    {
        var queued = new List<byte[]>();
        IPEndPoint? from = null;
        while (udp.Available > 0)
        {
            queued.Add(udp.Receive(ref from));
        }

        return queued;
    }

    public void Dispose() => udp.Dispose();
}
