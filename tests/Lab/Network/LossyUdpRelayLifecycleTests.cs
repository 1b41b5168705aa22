using RecoverySim.Testing;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Lab.Network;

namespace RecoverySim.Lab.Tests.Network;

public class LossyUdpRelayLifecycleTests
{
    [Fact]
    public async Task ForwardsOverIPv6Loopback()
    {
        using var server = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
        server.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
        client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions
        {
            ListenEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0),
            Server = (IPEndPoint)server.LocalEndPoint!,
        });
        await relay.StartAsync();

        client.SendTo([1, 2, 3], relay.LocalEndPoint);
        var buffer = new byte[16];
        EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
        int n = server.ReceiveFrom(buffer, ref from);
        Assert.Equal([1, 2, 3], buffer[..n]);
        server.SendTo([4, 5], from);
        EndPoint back = new IPEndPoint(IPAddress.IPv6Any, 0);
        n = client.ReceiveFrom(buffer, ref back);
        Assert.Equal([4, 5], buffer[..n]);
        Assert.Equal(relay.LocalEndPoint, back);
    }

    [Fact]
    public async Task IdleMappingsAreClosedWhenANewOneIsMade()
    {
        var time = new ManualTimeProvider();
        using var server = new UdpTestSocket();
        using var tid = new UdpTestSocket();
        using var first = new UdpTestSocket();
        using var second = new UdpTestSocket();
        await using var relay = new LossyUdpRelay(
            new LossyUdpRelayOptions { Server = server.EndPoint, IdleTimeout = TimeSpan.FromSeconds(5) }, time);
        await relay.StartAsync();

        first.Send([1], relay.LocalEndPoint);
        IPEndPoint upstream = server.Receive().From;
        tid.Send([2], upstream);
        Assert.Equal([2], first.Receive().Payload);
        Assert.Equal((1, 1), (relay.Statistics.Sessions, relay.Statistics.Mappings));

        // Past the idle timeout, the next new client sweeps the first one away.
        time.Advance(TimeSpan.FromSeconds(6));
        second.Send([3], relay.LocalEndPoint);
        Assert.Equal([3], server.Receive().Payload);
        Assert.Equal((1, 0), (relay.Statistics.Sessions, relay.Statistics.Mappings));
    }

    [Fact]
    public async Task LocalEndPointNeedsAStartAndStopIsIdempotent()
    {
        using var server = new UdpTestSocket();
        var relay = new LossyUdpRelay(new LossyUdpRelayOptions { Server = server.EndPoint });
        Assert.Throws<InvalidOperationException>(() => relay.LocalEndPoint);
        await relay.StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => relay.StartAsync());
        await relay.StopAsync();
        await relay.StopAsync();
        await relay.DisposeAsync();
    }

    [Fact]
    public async Task RunAsyncForwardsUntilCancelled()
    {
        using var server = new UdpTestSocket();
        using var client = new UdpTestSocket();
        var relay = new LossyUdpRelay(new LossyUdpRelayOptions { Server = server.EndPoint });
        using var cancel = new CancellationTokenSource();
        Task run = relay.RunAsync(cancel.Token);
        await UdpTestSocket.WaitUntilAsync(() => TryLocal(relay) is not null, "the relay is bound");

        client.Send([9], TryLocal(relay)!);
        Assert.Equal([9], server.Receive().Payload);
        await cancel.CancelAsync();
        await run;
        Assert.Equal(1, relay.Statistics.ClientToServer.Forwarded);
    }

    [Fact]
    public void UnusableOptionsAreRejectedNamingTheSetting()
    {
        var server = new IPEndPoint(IPAddress.Loopback, 6969);
        Assert.Contains("Server", Assert.Throws<ArgumentException>(() => new LossyUdpRelay(new LossyUdpRelayOptions { Server = new IPEndPoint(IPAddress.Loopback, 0) })).Message);
        Assert.Contains("address family", Assert.Throws<ArgumentException>(() => new LossyUdpRelay(new LossyUdpRelayOptions { Server = new IPEndPoint(IPAddress.IPv6Loopback, 69) })).Message);
        Assert.Contains("IdleTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new LossyUdpRelay(new LossyUdpRelayOptions { Server = server, IdleTimeout = TimeSpan.Zero })).Message);
        Assert.Contains("SocketBufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => new LossyUdpRelay(new LossyUdpRelayOptions { Server = server, SocketBufferSize = 10 })).Message);
        Assert.Contains("ServerToClient.LossRate", Assert.Throws<ArgumentOutOfRangeException>(() => new LossyUdpRelay(new LossyUdpRelayOptions { Server = server, ServerToClient = new LinkImpairment { LossRate = 2 } })).Message);
    }

    private static IPEndPoint? TryLocal(LossyUdpRelay relay)
    {
        try
        {
            return relay.LocalEndPoint;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
