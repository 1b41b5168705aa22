using System.Net;
using System.Security.Cryptography;
using RecoverySim.Tftp;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// A lab bench serving golden images to many boards at once (issue #5 "Performance", here at
/// test size): our server, 32 of our clients at once, 32 different files, all bit-exact. The
/// 64 MiB × 32 version with its memory bound runs in scripts/bench/tftp.sh.
/// </summary>
public class ConcurrentClientsTests
{
    private const int Clients = 32;
    private const int FileSize = 4 << 20;

    [Fact]
    public async Task ThirtyTwoClientsAtOnceOnThirtyTwoFilesAllCompleteBitExact()
    {
        using var files = new TftpTestFiles("tftp-32");
        // 32 distinct sizes (4 MiB + i): 32 different files, and a different last block each.
        string[] names = Enumerable.Range(0, Clients).Select(i => files.Add(FileSize + i)).ToArray();
        await using var server = new TftpServer(new TftpServerOptions
        {
            Root = files.Root,
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            MaxTransfers = Clients,
            MaxTransfersPerClient = Clients, // every client is 127.0.0.1
        });
        await server.StartAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        (TftpTransferResult Result, string Hash)[] results = await Task.WhenAll(names.Select(name => Task.Run(async () =>
        {
            var client = new TftpClient(new TftpClientOptions { BlockSize = 8192, WindowSize = 8 });
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var sink = new HashingStream(hash);
            TftpTransferResult result = await client.GetAsync(server.LocalEndPoint, name, sink, progress: null, cancel.Token);
            return (result, Convert.ToHexString(hash.GetHashAndReset()));
        })));

        for (int i = 0; i < Clients; i++)
        {
            Assert.Equal(files.HashOf(names[i]), results[i].Hash);
            Assert.Equal(FileSize + i, results[i].Result.Bytes);
        }
    }
}
