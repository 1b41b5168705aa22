using System.Net;

namespace RecoverySim.Tftp.Tests;

public sealed class LoopbackTransferTests
{
    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static TftpClient Client(int? blockSize = null, int? windowSize = null, TftpMode mode = TftpMode.Octet) => new(new TftpClientOptions
    {
        BlockSize = blockSize,
        WindowSize = windowSize,
        Timeout = TimeSpan.FromMilliseconds(200),
        MaxRetries = 3,
        Mode = mode,
    });

    [Theory]
    [InlineData(0, null, null)]
    [InlineData(1, null, null)]
    [InlineData(511, null, null)]
    [InlineData(512, null, null)]
    [InlineData(513, null, null)]
    [InlineData(1024, null, null)]
    [InlineData(3 * 1468, 1468, null)]
    [InlineData(3 * 1468 + 7, 1468, 4)]
    [InlineData(65464 * 2, 65464, 2)]
    [InlineData(100_000, 8, 16)]
    [InlineData(1_000_000, 1468, 8)]
    public async Task Get_returns_the_exact_bytes(int length, int? blockSize, int? windowSize)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] content = Content(length, length);
        server.Root.Write("image.bin", content);
        var destination = new MemoryStream();

        TftpTransferResult result = await Client(blockSize, windowSize).GetAsync(server.EndPoint, "image.bin", destination);

        Assert.Equal(content, destination.ToArray());
        Assert.Equal(length, result.Bytes);
        int block = blockSize ?? 512;
        Assert.Equal((length / block) + 1, result.Blocks);
        Assert.Equal(block, result.Options.BlockSize);
        Assert.Equal(windowSize ?? 1, result.Options.WindowSize);
    }
}
