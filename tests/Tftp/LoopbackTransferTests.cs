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

    [Theory]
    [InlineData(0, null, null)]
    [InlineData(511, null, null)]
    [InlineData(512, null, null)]
    [InlineData(513, null, null)]
    [InlineData(5 * 1468, 1468, 8)]
    [InlineData(300_000, 1000, 4)]
    public async Task Put_stores_the_exact_bytes(int length, int? blockSize, int? windowSize)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true));
        byte[] content = Content(length, length + 1);

        TftpTransferResult result = await Client(blockSize, windowSize).PutAsync(server.EndPoint, "upload.bin", new MemoryStream(content));

        Assert.Equal(length, result.Bytes);
        await server.WaitIdleAsync();
        Assert.Equal(content, File.ReadAllBytes(Path.Join(server.Root.Path, "upload.bin")));
        Assert.Equal(["upload.bin"], Directory.GetFiles(server.Root.Path).Select(Path.GetFileName));
        TftpTransferLogEntry entry = server.Transfers.Single();
        Assert.Null(entry.Error);
        Assert.Equal(length, entry.Bytes);
    }

    [Fact]
    public async Task Put_overwrites_only_when_allowed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true, overwrite: true));
        server.Root.Write("f", "old"u8.ToArray());
        await Client().PutAsync(server.EndPoint, "f", new MemoryStream("new content"u8.ToArray()));
        await server.WaitIdleAsync();
        Assert.Equal("new content"u8.ToArray(), File.ReadAllBytes(Path.Join(server.Root.Path, "f")));
    }

    [Fact]
    public async Task One_past_65535_blocks_rolls_over_both_ways()
    {
        // 65,536 blocks of 8 bytes plus 3: the block number wraps to 0 and goes on.
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true));
        byte[] content = Content((65536 * 8) + 3, 7);
        server.Root.Write("big", content);

        var destination = new MemoryStream();
        TftpTransferResult get = await Client(8, 16).GetAsync(server.EndPoint, "big", destination);
        Assert.Equal(content, destination.ToArray());
        Assert.Equal(65537, get.Blocks);

        TftpTransferResult put = await Client(8, 16).PutAsync(server.EndPoint, "big-copy", new MemoryStream(content));
        Assert.Equal(65537, put.Blocks);
        await server.WaitIdleAsync();
        Assert.Equal(content, File.ReadAllBytes(Path.Join(server.Root.Path, "big-copy")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    public async Task Netascii_converts_line_ends_both_ways(int? windowSize)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true));
        // 511 characters then a LF: its CR LF is split across the first two blocks.
        string text = new string('x', 511) + "\nline two\rbare cr\n" + string.Concat(Enumerable.Repeat("row\n", 300));
        byte[] local = System.Text.Encoding.ASCII.GetBytes(text);
        server.Root.Write("text.txt", local);

        var destination = new MemoryStream();
        TftpTransferResult get = await Client(windowSize: windowSize, mode: TftpMode.Netascii).GetAsync(server.EndPoint, "text.txt", destination);
        Assert.Equal(local, destination.ToArray());
        Assert.Equal(local.Length + local.Count(b => b is (byte)'\n' or (byte)'\r'), get.Bytes);

        await Client(windowSize: windowSize, mode: TftpMode.Netascii).PutAsync(server.EndPoint, "copy.txt", new MemoryStream(local));
        await server.WaitIdleAsync();
        Assert.Equal(local, File.ReadAllBytes(Path.Join(server.Root.Path, "copy.txt")));
    }

    [Fact]
    public async Task Ipv6_loopback_works()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(root => LoopbackServer.Options(root, write: true, address: IPAddress.IPv6Loopback));
        byte[] content = Content(5000, 6);
        server.Root.Write("v6", content);
        Assert.Equal(IPAddress.IPv6Loopback, server.EndPoint.Address);

        var destination = new MemoryStream();
        await Client(1468, 4).GetAsync(server.EndPoint, "v6", destination);
        Assert.Equal(content, destination.ToArray());
        await Client(1468).PutAsync(server.EndPoint, "v6-up", new MemoryStream(content));
        await server.WaitIdleAsync();
        Assert.Equal(content, File.ReadAllBytes(Path.Join(server.Root.Path, "v6-up")));
    }

    [Fact]
    public async Task Concurrent_transfers_are_all_exact_and_logged()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var files = Enumerable.Range(0, 8).Select(i => Content(100_000 + i, i)).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            server.Root.Write($"f{i}", files[i]);
        }

        var outputs = files.Select(_ => new MemoryStream()).ToArray();
        await Task.WhenAll(files.Select((_, i) => Client(1468, 4).GetAsync(server.EndPoint, $"f{i}", outputs[i])));
        for (int i = 0; i < files.Length; i++)
        {
            Assert.Equal(files[i], outputs[i].ToArray());
        }

        await server.WaitIdleAsync();
        Assert.Equal(8, server.Transfers.Count);
        Assert.All(server.Transfers, t => Assert.Null(t.Error));
        Assert.Equal(8, server.Requests.Count(r => r.Accepted));
    }

    [Fact]
    public async Task Progress_and_status_report_the_transfer()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] content = Content(3 << 20, 11);
        server.Root.Write("f", content);
        var reports = new List<TftpProgress>();
        var progress = new SynchronousProgress(reports.Add);
        await Client(1468, 8).GetAsync(server.EndPoint, "f", new MemoryStream(), progress);
        Assert.True(reports.Count >= 3);
        Assert.Equal(content.Length, reports[^1].Bytes);
        Assert.Equal(content.Length, reports[^1].TotalBytes);
        Assert.True(reports.Select(r => r.Bytes).SequenceEqual(reports.Select(r => r.Bytes).Order()));
    }

    [Fact]
    public async Task A_missing_file_is_error_1()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var e = await Assert.ThrowsAsync<TftpProtocolException>(() => Client().GetAsync(server.EndPoint, "missing", new MemoryStream()));
        Assert.Equal(TftpErrorCode.FileNotFound, e.ErrorCode);
        Assert.True(e.FromPeer);
    }

    private sealed class SynchronousProgress(Action<TftpProgress> report) : IProgress<TftpProgress>
    {
        public void Report(TftpProgress value) => report(value);
    }
}
