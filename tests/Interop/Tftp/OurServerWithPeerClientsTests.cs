using System.Globalization;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// Our <see cref="RecoverySim.Tftp.TftpServer"/> with real clients: curl (<c>tftp://</c>),
/// tftp-hpa's <c>tftp</c> and atftp (issue #5 "Interop"). Every download is compared bit for
/// bit (SHA-256) with the served file.
/// </summary>
public class OurServerWithPeerClientsTests(OurServerFixture server) : IClassFixture<OurServerFixture>
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Every interop size at every block size; null block size: the client asks for none.</summary>
    public static TheoryData<int?, long> SizesByBlockSize()
    {
        var data = new TheoryData<int?, long>();
        foreach (long size in TftpInteropSizes.For(512))
        {
            data.Add(null, size);
        }

        foreach (int blockSize in OurServerFixture.BlockSizes)
        {
            foreach (long size in TftpInteropSizes.For(blockSize))
            {
                data.Add(blockSize, size);
            }
        }

        return data;
    }

    /// <summary>The interop sizes at 512 bytes (tftp-hpa's client cannot ask for a block size).</summary>
    public static TheoryData<long> DefaultSizes() => new(TftpInteropSizes.For(512));

    [Theory]
    [MemberData(nameof(SizesByBlockSize))]
    public async Task CurlDownloadsEveryFileBitExact(int? blockSize, long size)
    {
        string name = TftpTestFiles.NameFor(size);
        string output = Path.Combine(server.Files.NewScratchDirectory(), name);
        await CurlAsync(blockSize, Url(name), "-o", output);
        AssertSameFile(name, output);
    }

    [Fact]
    public async Task CurlDownloadsPastBlockNumberRollover()
    {
        // 65,536 full blocks of 8 bytes and one more: the block number wraps to 0 and goes on.
        string name = server.Files.Add(TftpInteropSizes.PastRollover(8));
        string output = Path.Combine(server.Files.NewScratchDirectory(), name);
        await CurlAsync(8, Url(name), "-o", output);
        AssertSameFile(name, output);
    }

    [Theory]
    [MemberData(nameof(DefaultSizes))]
    public async Task TftpHpaClientDownloadsEveryFileBitExact(long size)
    {
        await TftpHpaGetAsync(TftpTestFiles.NameFor(size));
    }

    [Fact]
    public async Task TftpHpaClientDownloadsPastBlockNumberRollover()
    {
        // tftp-hpa's client always uses 512-byte blocks: 65,536 of them and one more byte, 32 MiB.
        string output = await TftpHpaGetAsync(server.Files.Add(TftpInteropSizes.PastRollover(512)));
        File.Delete(output);
    }

    [Theory]
    [MemberData(nameof(SizesByBlockSize))]
    public async Task AtftpDownloadsEveryFileBitExactWithBlockSizeAndWindowSize(int? blockSize, long size)
    {
        string name = TftpTestFiles.NameFor(size);
        string output = Path.Combine(server.Files.NewScratchDirectory(), name);
        string[] options = blockSize is int b ? ["--option", $"blksize {b}", "--option", "windowsize 8"] : [];
        PeerResult result = await AtftpAsync(["-g", "-r", name, "-l", output, .. options]);
        AssertSameFile(name, output, result.ToString());
    }

    [Fact]
    public async Task AtftpDownloadsPastBlockNumberRolloverWithAWindow()
    {
        string name = server.Files.Add(TftpInteropSizes.PastRollover(8));
        string output = Path.Combine(server.Files.NewScratchDirectory(), name);
        PeerResult result = await AtftpAsync(["-g", "-r", name, "-l", output, "--option", "blksize 8", "--option", "windowsize 4"]);
        AssertSameFile(name, output, result.ToString());
    }

    [Theory]
    [InlineData(null, 0L)]
    [InlineData(null, 513L)]
    [InlineData(1468, 1468L * 3)]
    [InlineData(1468, 1468L * 3 + 1)]
    [InlineData(8192, 100_000L)]
    public async Task AtftpUploadsWhenWritesAreAllowed(int? blockSize, long size)
    {
        string source = server.Files.Add(size);
        string remote = $"upload-{blockSize?.ToString(CultureInfo.InvariantCulture) ?? "none"}-{size}.bin";
        string[] options = blockSize is int b ? ["--option", $"blksize {b}"] : [];
        await AtftpAsync(["-p", "-l", Path.Combine(server.Files.Root, source), "-r", remote, .. options]);
        AssertStored(source, remote);
    }

    [Fact]
    public async Task AtftpUploadOverAnExistingFileIsRefusedAndTheFileKept()
    {
        string atftp = PeerTool.Find("atftp", "atftp");
        string existing = server.Files.Add(513);
        string source = server.Files.Add(512);

        PeerResult result = await PeerProcess.RunAsync(
            atftp, ["-p", "-l", Path.Combine(server.Files.Root, source), "-r", existing, "127.0.0.1", Port], PeerTimeout);

        Assert.True(result.ExitCode != 0, $"atftp put over an existing file should fail: {result}");
        Assert.Equal(server.Files.HashOf(existing), TftpTestFiles.HashOfFile(Path.Combine(server.Files.Root, existing)));
    }

    [Theory]
    [InlineData(null, 513L)]
    [InlineData(1468, 1468L * 3)]
    [InlineData(8192, 100_000L)]
    public async Task CurlUploadsWhenWritesAreAllowed(int? blockSize, long size)
    {
        string source = server.Files.Add(size);
        string remote = $"curl-upload-{blockSize?.ToString(CultureInfo.InvariantCulture) ?? "none"}-{size}.bin";
        await CurlAsync(blockSize, Url(remote), "-T", Path.Combine(server.Files.Root, source));
        AssertStored(source, remote);
    }

    [Fact]
    public async Task TftpHpaNetasciiGetRoundTripsTextWithCrLfAndCrNulSplitAcrossBlocks()
    {
        // RFC 1350 / RFC 764: on the wire LF is CR LF and a bare CR is CR NUL. The text is laid
        // out so that the CR LF straddles blocks 1 and 2 (wire bytes 511-512) and the CR NUL
        // straddles blocks 2 and 3 (wire bytes 1023-1024); tftp-hpa decodes back to the file.
        string tftp = PeerTool.Find("tftp", "tftp-hpa");
        string text = new string('a', 511) + "\n" + new string('b', 510) + "\r" + new string('c', 100) + "\n";
        string name = "netascii-split.txt";
        await File.WriteAllTextAsync(Path.Combine(server.Files.Root, name), text);
        string directory = server.Files.NewScratchDirectory();
        string output = Path.Combine(directory, name);

        PeerResult result = await PeerProcess.RunAsync(
            tftp, ["127.0.0.1", Port, "-m", "netascii", "-c", "get", name, output], PeerTimeout, directory);

        Assert.True(File.Exists(output), $"tftp-hpa wrote nothing: {result}");
        Assert.Equal(text, await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task CurlDownloadsOverIPv6Loopback()
    {
        string name = server.Files.Add(3L * 1468 + 1);
        await using var ipv6 = new RecoverySim.Tftp.TftpServer(new RecoverySim.Tftp.TftpServerOptions
        {
            Root = server.Files.Root,
            EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 0),
        });
        await ipv6.StartAsync(CancellationToken.None);
        string output = Path.Combine(server.Files.NewScratchDirectory(), name);

        await CurlAsync(1468, $"tftp://[::1]:{ipv6.LocalEndPoint.Port}/{name}", "-o", output);
        AssertSameFile(name, output);
    }

    private string Port => server.EndPoint.Port.ToString(CultureInfo.InvariantCulture);

    private string Url(string name) => $"tftp://127.0.0.1:{server.EndPoint.Port}/{name}";

    // curl [--tftp-blksize B] TRANSFER... URL; it must succeed.
    private static async Task CurlAsync(int? blockSize, string url, params string[] transfer)
    {
        string[] size = blockSize is int b ? ["--tftp-blksize", b.ToString(CultureInfo.InvariantCulture)] : [];
        PeerResult result = await PeerProcess.RunAsync(PeerTool.Find("curl", "curl"), ["-sS", "--max-time", "80", .. size, .. transfer, url], PeerTimeout);
        Assert.True(result.ExitCode == 0, $"curl failed: {result}");
    }

    // atftp ARGUMENTS... 127.0.0.1 PORT; it must succeed.
    private async Task<PeerResult> AtftpAsync(string[] arguments)
    {
        PeerResult result = await PeerProcess.RunAsync(PeerTool.Find("atftp", "atftp"), [.. arguments, "127.0.0.1", Port], PeerTimeout);
        Assert.True(result.ExitCode == 0, $"atftp failed: {result}");
        return result;
    }

    // tftp-hpa's get of NAME in binary mode into a scratch folder; returns the output path.
    private async Task<string> TftpHpaGetAsync(string name)
    {
        string directory = server.Files.NewScratchDirectory();
        string output = Path.Combine(directory, name);
        PeerResult result = await PeerProcess.RunAsync(
            PeerTool.Find("tftp", "tftp-hpa"), ["127.0.0.1", Port, "-m", "binary", "-c", "get", name, output], PeerTimeout, directory);

        // tftp-hpa's exit code says little in -c mode: the file is the verdict, the output the explanation.
        Assert.True(File.Exists(output), $"tftp-hpa wrote nothing: {result}");
        AssertSameFile(name, output, result.ToString());
        return output;
    }

    private void AssertSameFile(string name, string output, string? context = null)
    {
        Assert.True(File.Exists(output), $"no output file {output}; {context}");
        Assert.True(
            server.Files.HashOf(name) == TftpTestFiles.HashOfFile(output),
            $"{output}: {new FileInfo(output).Length} bytes, expected {new FileInfo(Path.Combine(server.Files.Root, name)).Length} with the served SHA-256; {context}");
    }

    // No waiting: the server renames an upload into place before it sends the final ACK, so the
    // file is whole by the time the client has heard that ACK and exited with success.
    private void AssertStored(string source, string remote) =>
        Assert.Equal(server.Files.HashOf(source), TftpTestFiles.HashOfFile(Path.Combine(server.Files.Root, remote)));
}
