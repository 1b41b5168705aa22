using RecoverySim.Testing;
using System.Buffers.Binary;
using System.Net;
using RecoverySim.Lab.Network;

namespace RecoverySim.Lab.Tests.Network;

public class LossyUdpRelayTests
{
    private const int Burst = 16;

    [Fact]
    public async Task PerfectRelayForwardsEverythingInOrderAndMapsEachServerTidToItsOwnPort()
    {
        using var client = new UdpTestSocket();
        using var server = new UdpTestSocket();
        using var tid1 = new UdpTestSocket();
        using var tid2 = new UdpTestSocket();
        await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions { Server = server.EndPoint, Seed = 7 });
        await relay.StartAsync();

        // Client to server, in bursts: all arrive, in order, from one upstream port.
        IPEndPoint? upstream = null;
        for (int i = 0; i < 512; i += Burst)
        {
            for (int j = i; j < i + Burst; j++)
            {
                client.Send(Numbered(j), relay.LocalEndPoint);
            }

            for (int j = i; j < i + Burst; j++)
            {
                (byte[] payload, IPEndPoint from) = server.Receive();
                Assert.Equal(j, NumberOf(payload));
                upstream ??= from;
                Assert.Equal(upstream, from);
            }
        }

        // The server answers from a transfer port (TID): the client sees it on a fresh relay port.
        IPEndPoint? front1 = null;
        for (int i = 0; i < 512; i += Burst)
        {
            for (int j = i; j < i + Burst; j++)
            {
                tid1.Send(Numbered(j), upstream!);
            }

            for (int j = i; j < i + Burst; j++)
            {
                (byte[] payload, IPEndPoint from) = client.Receive();
                Assert.Equal(j, NumberOf(payload));
                front1 ??= from;
                Assert.Equal(front1, from);
            }
        }

        Assert.NotEqual(relay.LocalEndPoint, front1);

        // A second TID gets a second relay port; the listening port answers from the relay's own.
        tid2.Send(Numbered(1000), upstream!);
        (byte[] second, IPEndPoint front2) = client.Receive();
        Assert.Equal(1000, NumberOf(second));
        Assert.NotEqual(front1, front2);
        Assert.NotEqual(relay.LocalEndPoint, front2);

        server.Send(Numbered(2000), upstream!);
        (byte[] fromListen, IPEndPoint listenSide) = client.Receive();
        Assert.Equal(2000, NumberOf(fromListen));
        Assert.Equal(relay.LocalEndPoint, listenSide);

        // What the client sends to a relay TID port reaches that server TID, from the upstream port.
        client.Send(Numbered(3001), front1!);
        (byte[] atTid1, IPEndPoint via1) = tid1.Receive();
        Assert.Equal((3001, upstream), (NumberOf(atTid1), via1));
        client.Send(Numbered(3002), front2);
        (byte[] atTid2, IPEndPoint via2) = tid2.Receive();
        Assert.Equal((3002, upstream), (NumberOf(atTid2), via2));

        // A stranger writing to a TID port is not forwarded.
        using var stranger = new UdpTestSocket();
        stranger.Send(Numbered(4000), front1!);
        await UdpTestSocket.WaitUntilAsync(() => relay.Statistics.ClientToServer.Unrouted == 1, "the stranger's packet is counted");
        Assert.False(tid1.HasPending);

        RelayStatistics stats = relay.Statistics;
        Assert.Equal(new RelayDirectionStatistics(514, 514, 0, 0, 0, 1, 0), stats.ClientToServer);
        Assert.Equal(new RelayDirectionStatistics(514, 514, 0, 0, 0, 0, 0), stats.ServerToClient);
        Assert.Equal((1, 2), (stats.Sessions, stats.Mappings));
    }

    [Fact]
    public async Task SeededLossDropsExactlyThePacketsTheModelSaysAndStaysWithinBounds()
    {
        const int Packets = 2000;
        const double Loss = 0.3;
        var link = new LinkImpairment { LossRate = Loss };
        using var client = new UdpTestSocket();
        using var server = new UdpTestSocket();
        await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions { Server = server.EndPoint, Seed = 1234, ClientToServer = link });
        await relay.StartAsync();

        var received = new List<int>();
        for (int i = 0; i < Packets; i += Burst)
        {
            for (int j = i; j < i + Burst; j++)
            {
                client.Send(Numbered(j), relay.LocalEndPoint);
            }

            await UdpTestSocket.WaitUntilAsync(() => relay.Statistics.ClientToServer.Received == i + Burst, "the relay has the burst");
            while (received.Count < relay.Statistics.ClientToServer.Forwarded)
            {
                received.Add(NumberOf(server.Receive().Payload));
            }
        }

        // The same seed replays the same losses: the model decides, the sockets only carry.
        var model = new ImpairmentModel(link, 1234);
        int[] expected = Enumerable.Range(0, Packets).Where(_ => !model.Next().Dropped).ToArray();
        Assert.Equal(expected, received);

        RelayDirectionStatistics stats = relay.Statistics.ClientToServer;
        Assert.Equal(Packets - received.Count, stats.Dropped);
        double bound = 5 * Math.Sqrt(Packets * Loss * (1 - Loss));
        Assert.InRange(stats.Dropped, Packets * Loss - bound, Packets * Loss + bound);
        Assert.False(server.HasPending);
    }

    [Fact]
    public async Task DuplicatesAndReorderingHappenAsConfiguredAndReplayFromTheSeed()
    {
        const int Packets = 320; // a multiple of Burst
        var link = new LinkImpairment
        {
            Delay = TimeSpan.FromMilliseconds(10),
            Jitter = TimeSpan.FromMilliseconds(2),
            LossRate = 0.1,
            DuplicateRate = 0.25,
            ReorderRate = 0.2,
            ReorderDelay = TimeSpan.FromMilliseconds(30),
        };
        var time = new ManualTimeProvider();
        using var client = new UdpTestSocket();
        using var server = new UdpTestSocket();
        await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions { Server = server.EndPoint, Seed = 99, ClientToServer = link }, time);
        await relay.StartAsync();

        // The clock stands still while the packets go in, so each one's delay alone decides its turn.
        for (int i = 0; i < Packets; i += Burst)
        {
            for (int j = i; j < i + Burst; j++)
            {
                client.Send(Numbered(j), relay.LocalEndPoint);
            }

            await UdpTestSocket.WaitUntilAsync(() => relay.Statistics.ClientToServer.Received == i + Burst, "the relay has the burst");
        }

        Assert.False(server.HasPending);
        await UdpTestSocket.WaitUntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(20));
                return relay.Statistics.ClientToServer.InFlight == 0;
            },
            "every delayed copy has left");

        RelayDirectionStatistics stats = relay.Statistics.ClientToServer;
        var received = new List<int>();
        while (received.Count < stats.Forwarded)
        {
            received.Add(NumberOf(server.Receive().Payload));
        }

        // Expected order: every copy sorted by its delay, ties in the order they were scheduled.
        var model = new ImpairmentModel(link, 99);
        var copies = new List<(TimeSpan Delay, int Order, int Packet)>();
        for (int i = 0; i < Packets; i++)
        {
            PacketFate fate = model.Next();
            for (int c = 0; c < fate.Copies; c++)
            {
                copies.Add((fate.DelayOf(c), copies.Count, i));
            }
        }

        Assert.Equal(copies.OrderBy(c => c.Delay).ThenBy(c => c.Order).Select(c => c.Packet), received);
        Assert.True(stats.Duplicated > 0 && stats.Reordered > 0, $"duplicated {stats.Duplicated}, reordered {stats.Reordered}");
        Assert.Equal(stats.Duplicated, received.GroupBy(n => n).Count(g => g.Count() == 2));
        Assert.Equal(Packets - stats.Dropped, received.Distinct().Count());
        int inversions = received.Zip(received.Skip(1)).Count(p => p.First > p.Second);
        Assert.True(inversions > 0, "held packets were overtaken");
        Assert.False(server.HasPending);
    }

    [Fact]
    public async Task EveryForwardedPacketIsOneThatWasSentUnchanged()
    {
        Gen<byte[][]> genPayloads = Gen.Byte.Array[0, 1500].Array[1, 40];
        await Gen.Select(ImpairmentModelTests.GenLink, Gen.Int, genPayloads, Gen.Bool)
            .SampleAsync(
                async (link, seed, payloads, towardsServer) =>
                {
                    var time = new ManualTimeProvider();
                    using var client = new UdpTestSocket();
                    using var server = new UdpTestSocket();
                    using var tid = new UdpTestSocket();
                    var options = new LossyUdpRelayOptions
                    {
                        Server = server.EndPoint,
                        Seed = seed,
                        ClientToServer = towardsServer ? link : LinkImpairment.None,
                        ServerToClient = towardsServer ? LinkImpairment.None : link,
                    };
                    await using var relay = new LossyUdpRelay(options, time);
                    await relay.StartAsync();
                    if (towardsServer)
                    {
                        List<byte[]> atServer = await PassAsync(payloads, p => client.Send(p, relay.LocalEndPoint), server, relay, RelayDirection.ClientToServer, time);
                        AssertAllSent(payloads, atServer);
                        return;
                    }

                    // A first packet over the perfect direction opens the session; then the server's
                    // transfer port sends through the impaired one.
                    client.Send([0xFF], relay.LocalEndPoint);
                    IPEndPoint upstream = server.Receive().From;
                    List<byte[]> atClient = await PassAsync(payloads, p => tid.Send(p, upstream), client, relay, RelayDirection.ServerToClient, time);
                    AssertAllSent(payloads, atClient);
                }, iter: 30, threads: 1);
    }

    private static async Task<List<byte[]>> PassAsync(
        byte[][] payloads, Action<byte[]> send, UdpTestSocket receiver, LossyUdpRelay relay, RelayDirection direction, ManualTimeProvider time)
    {
        long before = relay.Statistics[direction].Received;
        long forwardedBefore = relay.Statistics[direction].Forwarded;
        for (int i = 0; i < payloads.Length; i++)
        {
            send(payloads[i]);
            long want = before + i + 1;
            await UdpTestSocket.WaitUntilAsync(() => relay.Statistics[direction].Received == want, "the relay has the packet");
        }

        await UdpTestSocket.WaitUntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(50));
                return relay.Statistics[direction].InFlight == 0;
            },
            "every delayed copy has left");
        var got = new List<byte[]>();
        while (got.Count < relay.Statistics[direction].Forwarded - forwardedBefore)
        {
            got.Add(receiver.Receive().Payload);
        }

        Assert.False(receiver.HasPending);
        return got;
    }

    private static void AssertAllSent(byte[][] sent, List<byte[]> received)
    {
        foreach (byte[] packet in received)
        {
            int sentTimes = sent.Count(s => s.AsSpan().SequenceEqual(packet));
            int receivedTimes = received.Count(r => r.AsSpan().SequenceEqual(packet));
            Assert.True(sentTimes > 0, $"a {packet.Length}-byte packet came out that was never sent");
            Assert.True(receivedTimes <= 2 * sentTimes, $"a packet sent {sentTimes} time(s) came out {receivedTimes} times");
        }
    }

    private static byte[] Numbered(int n)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, n);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), ~n);
        return payload;
    }

    private static int NumberOf(byte[] payload)
    {
        Assert.Equal(8, payload.Length);
        int n = BinaryPrimitives.ReadInt32BigEndian(payload);
        Assert.Equal(~n, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
        return n;
    }
}
