using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Lab.Tests.Network;

/// <summary>A loopback UDP socket for relay tests, with bounded blocking receives (a hang guard, not a timing assertion).</summary>
internal sealed class UdpTestSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpTestSocket()
    {
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.ReceiveTimeout = 10_000;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Send(byte[] payload, IPEndPoint to) => _socket.SendTo(payload, to);

    /// <summary>Receives one datagram; throws (failing the test) after 10 s without one.</summary>
    public (byte[] Payload, IPEndPoint From) Receive()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = _socket.ReceiveFrom(buffer, ref from);
        return (buffer.AsSpan(0, n).ToArray(), (IPEndPoint)from);
    }

    /// <summary>True when a datagram is waiting right now.</summary>
    public bool HasPending => _socket.Available > 0;

    public void Dispose() => _socket.Dispose();

    /// <summary>Polls <paramref name="condition"/> until true; fails after 10 s (hang guard).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"gave up after 10 s waiting until {what}");
            }

            await Task.Delay(1);
        }
    }
}
