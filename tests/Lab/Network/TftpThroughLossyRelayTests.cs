using System.Net;
using System.Security.Cryptography;
using RecoverySim.Lab.Network;
using RecoverySim.Tftp;

namespace RecoverySim.Lab.Tests.Network;

/// <summary>
/// Our TFTP client and server across the lossy relay: a bad network (loss, duplicates,
/// reordering, jitter, both ways) slows a transfer down but never corrupts or wedges it.
/// </summary>
public class TftpThroughLossyRelayTests
{
    private static readonly LinkImpairment BadLink = new()
    {
        Delay = TimeSpan.FromMilliseconds(0.5),
        Jitter = TimeSpan.FromMilliseconds(1),
        LossRate = 0.05,
        DuplicateRate = 0.05,
        ReorderRate = 0.05,
        ReorderDelay = TimeSpan.FromMilliseconds(3),
    };

    [Theory]
    [InlineData(false, 1, 11)]
    [InlineData(false, 8, 12)]
    [InlineData(true, 1, 13)]
    [InlineData(true, 8, 14)]
    public async Task ATransferAcrossALossyDuplicatingReorderingLinkCompletesBitExact(bool write, int windowSize, int seed)
    {
        byte[] content = new byte[96 * 1024 + 17];
        new Random(seed).NextBytes(content);
        var client = new TftpClientOptions { BlockSize = 1024, WindowSize = windowSize, Timeout = TimeSpan.FromMilliseconds(50), MaxRetries = 50 };
        (byte[] result, RelayStatistics stats) = await TransferAsync(write, seed, content, BadLink, BadLink,
            serverTimeout: TimeSpan.FromMilliseconds(50), serverRetries: 50, client, limit: TimeSpan.FromSeconds(60));

        Assert.Equal(SHA256.HashData(content), SHA256.HashData(result));
        Assert.True(stats.ClientToServer.Dropped + stats.ServerToClient.Dropped > 0, $"the link dropped nothing: {stats}");
        Assert.True(stats.ClientToServer.Duplicated + stats.ServerToClient.Duplicated > 0, $"the link duplicated nothing: {stats}");
    }

    /// <summary>
    /// RFC 2347 + RFC 1350 section 2: the client's ACK 0 (its answer to the OACK) is lost, so the
    /// server times out and sends the OACK again. The client must answer it with ACK 0 again
    /// and go on, as it would for a repeated DATA block; a real network loses packets.
    /// </summary>
    [Fact]
    public async Task ALostAckOfTheOackMakesTheServerResendItAndTheReadStillCompletes()
    {
        // Client-to-server packets: 0 the RRQ, 1 the ACK of the OACK (dropped), then all through.
        (int seed, LinkImpairment link) = SeedDroppingOnly(packet: 1);
        (byte[] content, byte[] result) = await TransferAsync(write: false, seed, clientToServer: link);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(result));
    }

    /// <summary>
    /// RFC 2347 section "Negotiation Protocol" (the OACK stands for ACK 0 of a write): DATA 1 is
    /// lost, so the server sends the OACK again. The client must treat it as a repeated ACK 0
    /// (send DATA 1 again on its timeout) and complete, not abort the write.
    /// </summary>
    [Fact]
    public async Task ALostFirstDataBlockMakesTheServerResendTheOackAndTheWriteStillCompletes()
    {
        // Client-to-server packets: 0 the WRQ, 1 DATA 1 (dropped), then all through.
        (int seed, LinkImpairment link) = SeedDroppingOnly(packet: 1);
        (byte[] content, byte[] result) = await TransferAsync(write: true, seed, clientToServer: link);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(result));
    }

    /// <summary>
    /// The server's OACK is lost: the client times out and sends its request again, the server
    /// answers it (from the same or a new transfer port), and the transfer completes. A second
    /// transfer port that the client did not lock onto gets ERROR 5 (RFC 1350 section 4).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALostOackMakesTheClientRepeatItsRequestAndTheTransferStillCompletes(bool write)
    {
        // Server-to-client packets: 0 the OACK (dropped), then all through.
        (int modelSeed, LinkImpairment link) = SeedDroppingOnly(packet: 0);
        int seed = LossyUdpRelay.ModelSeed(modelSeed, RelayDirection.ServerToClient);
        (byte[] content, byte[] result) = await TransferAsync(write, seed, clientToServer: LinkImpairment.None, serverToClient: link);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(result));
    }

    /// <summary>
    /// No Sorcerer's Apprentice (RFC 1123 section 4.2.3.1): every ACK arrives twice, and the
    /// server must not answer the duplicates with DATA. The relay counts what the server sent.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task DuplicatedAcksDoNotMultiplyTheServersDataPackets(int windowSize)
    {
        string root = Directory.CreateTempSubdirectory("recoverysim-relay-tftp-").FullName;
        try
        {
            byte[] content = new byte[200 * 512 + 3];
            new Random(windowSize).NextBytes(content);
            await File.WriteAllBytesAsync(Path.Combine(root, "image.bin"), content);
            await using var server = new TftpServer(new TftpServerOptions { Root = root, EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
            await server.StartAsync(CancellationToken.None);
            await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions
            {
                Server = server.LocalEndPoint,
                Seed = 5,
                ClientToServer = new LinkImpairment { DuplicateRate = 1 },
            });
            await relay.StartAsync();
            var client = new TftpClient(new TftpClientOptions { BlockSize = 512, WindowSize = windowSize });
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var destination = new MemoryStream();

            TftpTransferResult result = await client.GetAsync(relay.LocalEndPoint, "image.bin", destination, progress: null, cancel.Token);

            Assert.Equal(SHA256.HashData(content), SHA256.HashData(destination.ToArray()));
            RelayStatistics stats = relay.Statistics;
            Assert.Equal(stats.ClientToServer.Received, stats.ClientToServer.Duplicated);
            // Everything the server sent: the OACK plus DATA; at most 1.3 DATA per block.
            long serverPackets = stats.ServerToClient.Received;
            Assert.True(serverPackets - 1 <= 1.3 * result.Blocks, $"the server sent {serverPackets} packets for {result.Blocks} blocks");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A seed for which a 2.5 % loss link drops packet number <paramref name="packet"/> and none of the next 40 (the model replays it exactly).</summary>
    private static (int Seed, LinkImpairment Link) SeedDroppingOnly(int packet)
    {
        var link = new LinkImpairment { LossRate = 0.025 }; // p(1-p)^41 is largest near 1/42: a fitting seed within a few hundred
        for (int seed = 0; ; seed++)
        {
            var model = new ImpairmentModel(link, seed);
            bool fits = true;
            for (int i = 0; i < packet + 41 && fits; i++)
            {
                fits = model.Next().Dropped == (i == packet);
            }

            if (fits)
            {
                return (seed, link);
            }
        }
    }

    private static async Task<(byte[] Content, byte[] Result)> TransferAsync(bool write, int seed, LinkImpairment clientToServer, LinkImpairment? serverToClient = null)
    {
        // Two blocks of 1024: DATA 1 full, DATA 2 one byte. The client waits longer than the
        // server, so the server's resent OACK comes first.
        byte[] content = new byte[1025];
        new Random(seed).NextBytes(content);
        var client = new TftpClientOptions { BlockSize = 1024, WindowSize = 1, Timeout = TimeSpan.FromMilliseconds(300), MaxRetries = 10 };
        (byte[] result, _) = await TransferAsync(write, seed, content, clientToServer, serverToClient ?? LinkImpairment.None,
            serverTimeout: TimeSpan.FromMilliseconds(100), serverRetries: 10, client, limit: TimeSpan.FromSeconds(30));
        return (content, result);
    }

    /// <summary>
    /// Serves <paramref name="content"/> as image.bin (or receives it as upload.bin) through a
    /// relay with the given links, and returns what arrived and what the relay did.
    /// </summary>
    private static async Task<(byte[] Result, RelayStatistics Statistics)> TransferAsync(bool write, int seed, byte[] content,
        LinkImpairment clientToServer, LinkImpairment serverToClient, TimeSpan serverTimeout, int serverRetries, TftpClientOptions client, TimeSpan limit)
    {
        string root = Directory.CreateTempSubdirectory("recoverysim-relay-tftp-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(root, "image.bin"), content);
            await using var server = new TftpServer(new TftpServerOptions
            {
                Root = root,
                EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                AllowWrite = true,
                Timeout = serverTimeout,
                MaxRetries = serverRetries,
            });
            await server.StartAsync(CancellationToken.None);
            await using var relay = new LossyUdpRelay(new LossyUdpRelayOptions
            {
                Server = server.LocalEndPoint,
                Seed = seed,
                ClientToServer = clientToServer,
                ServerToClient = serverToClient,
            });
            await relay.StartAsync();
            using var cancel = new CancellationTokenSource(limit);
            var tftp = new TftpClient(client);
            if (write)
            {
                using var source = new MemoryStream(content);
                await tftp.PutAsync(relay.LocalEndPoint, "upload.bin", source, progress: null, cancel.Token);

                // The server renames the upload into place before it sends the final ACK.
                return (await File.ReadAllBytesAsync(Path.Combine(root, "upload.bin")), relay.Statistics);
            }

            using var destination = new MemoryStream();
            await tftp.GetAsync(relay.LocalEndPoint, "image.bin", destination, progress: null, cancel.Token);
            return (destination.ToArray(), relay.Statistics);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
