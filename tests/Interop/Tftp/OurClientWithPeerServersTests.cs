using System.Net;
using System.Security.Cryptography;
using RecoverySim.Tftp;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// Our <see cref="TftpClient"/> against real servers: tftpd-hpa 5.2 (no windowsize: the client
/// must fall back to lockstep), atftpd 0.8 (windowsize) and dnsmasq (TFTP only, port 69).
/// Every download is compared bit for bit (SHA-256) with the served file.
/// </summary>
[Collection(PeerServersCollection.Name)]
public class OurClientWithPeerServersTests(PeerServersFixture peers)
{
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(90);

    public enum Peer
    {
        TftpdHpa,
        Atftpd,
        Dnsmasq,
    }

    /// <summary>Each server, each interop size at each block size (null: none asked, 512).</summary>
    public static TheoryData<Peer, int?, long> Cases()
    {
        var data = new TheoryData<Peer, int?, long>();
        foreach (Peer peer in Enum.GetValues<Peer>())
        {
            foreach (long size in TftpInteropSizes.For(512))
            {
                data.Add(peer, null, size);
            }

            foreach (int blockSize in PeerServersFixture.BlockSizes)
            {
                foreach (long size in TftpInteropSizes.For(blockSize))
                {
                    data.Add(peer, blockSize, size);
                }
            }
        }

        return data;
    }

    /// <summary>Which servers grant windowsize (RFC 7440): atftpd does; tftpd-hpa 5.2 and dnsmasq 2.90 do not.</summary>
    private static int GrantedWindow(Peer peer, int asked) => peer == Peer.Atftpd ? asked : 1;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurClientDownloadsEveryFileBitExact(Peer peer, int? blockSize, long size)
    {
        IPEndPoint endPoint = await EndPointOf(peer);
        string name = TftpTestFiles.NameFor(size);
        var options = new TftpClientOptions { BlockSize = blockSize, WindowSize = blockSize is null ? null : 8 };

        (TftpTransferResult result, string hash) = await GetAsync(endPoint, name, options);

        Assert.Equal(peers.Files.HashOf(name), hash);
        Assert.Equal(size, result.Bytes);
        // A server may grant less than asked (RFC 2348): dnsmasq caps blksize at its packet
        // buffer (2263 here); tftpd-hpa and atftpd grant what was asked.
        if (peer == Peer.Dnsmasq && blockSize is int asked)
        {
            Assert.InRange(result.Options.BlockSize, 512, asked);
        }
        else
        {
            Assert.Equal(blockSize ?? 512, result.Options.BlockSize);
        }

        Assert.Equal(blockSize is null ? 1 : GrantedWindow(peer, 8), result.Options.WindowSize);
    }

    [Theory]
    [InlineData(Peer.TftpdHpa)]
    [InlineData(Peer.Atftpd)]
    [InlineData(Peer.Dnsmasq)]
    public async Task OurClientDownloadsPastBlockNumberRollover(Peer peer)
    {
        // 65,536 full blocks of 64 bytes and one more: block 65,535 is followed by block 0.
        // (Not blksize 8: atftpd refuses an OACK that does not fit in one block of the asked size.)
        IPEndPoint endPoint = await EndPointOf(peer);
        long size = TftpInteropSizes.PastRollover(PeerServersFixture.RolloverBlockSize);
        string name = TftpTestFiles.NameFor(size);
        var options = new TftpClientOptions { BlockSize = PeerServersFixture.RolloverBlockSize, WindowSize = 4 };

        (TftpTransferResult result, string hash) = await GetAsync(endPoint, name, options);

        Assert.Equal(peers.Files.HashOf(name), hash);
        Assert.Equal(65_537, result.Blocks);
    }

    [Fact]
    public async Task TftpdHpaWithoutWindowSizeNegotiatesDownToLockstep()
    {
        // tftpd-hpa 5.2 ignores windowsize: its OACK grants blksize only, and the client must
        // go on in lockstep rather than fail or wait for a window that never comes.
        IPEndPoint endPoint = await EndPointOf(Peer.TftpdHpa);
        string name = TftpTestFiles.NameFor(3L * 1468 + 1);

        (TftpTransferResult result, string hash) = await GetAsync(endPoint, name, new TftpClientOptions { BlockSize = 1468, WindowSize = 16 });

        Assert.Equal(peers.Files.HashOf(name), hash);
        Assert.Equal((1468, 1), (result.Options.BlockSize, result.Options.WindowSize));
    }

    [Theory]
    [InlineData(Peer.TftpdHpa)]
    [InlineData(Peer.Atftpd)]
    [InlineData(Peer.Dnsmasq)]
    public async Task AMissingFileIsAnErrorFromThePeerNotAHang(Peer peer)
    {
        IPEndPoint endPoint = await EndPointOf(peer);
        var client = new TftpClient(new TftpClientOptions { BlockSize = 1468 });
        using var cancel = new CancellationTokenSource(TransferTimeout);
        using var sink = new MemoryStream();

        TftpProtocolException e = await Assert.ThrowsAsync<TftpProtocolException>(
            () => client.GetAsync(endPoint, "no-such-file.bin", sink, progress: null, cancel.Token));

        Assert.True(e.FromPeer, e.Message);
        Assert.Equal(TftpErrorCode.FileNotFound, e.ErrorCode);
        Assert.Equal(0, sink.Length);
    }

    [Theory]
    [InlineData(Peer.TftpdHpa)]
    [InlineData(Peer.Atftpd)]
    public async Task OurNetasciiGetRoundTripsTextWithLineEndsSplitAcrossBlocks(Peer peer)
    {
        // The server sends LF as CR LF (RFC 1350, RFC 764); 511 bytes then LF puts the CR at the
        // end of block 1 and the LF at the start of block 2: our client must join them.
        IPEndPoint endPoint = await EndPointOf(peer);
        string text = new string('a', 511) + "\n" + new string('b', 700) + "\n" + "last line\n";
        string name = $"netascii-{peer}.txt";
        await File.WriteAllTextAsync(Path.Combine(peers.Files.Root, name), text);
        var client = new TftpClient(new TftpClientOptions { Mode = TftpMode.Netascii });
        using var cancel = new CancellationTokenSource(TransferTimeout);
        using var destination = new MemoryStream();

        await client.GetAsync(endPoint, name, destination, progress: null, cancel.Token);

        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(destination.ToArray()));
    }

    private Task<IPEndPoint> EndPointOf(Peer peer) => peer switch
    {
        Peer.TftpdHpa => peers.TftpdHpaAsync(),
        Peer.Atftpd => peers.AtftpdAsync(),
        Peer.Dnsmasq => peers.DnsmasqAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(peer), peer, null),
    };

    private static async Task<(TftpTransferResult Result, string Hash)> GetAsync(IPEndPoint endPoint, string name, TftpClientOptions options)
    {
        var client = new TftpClient(options);
        using var cancel = new CancellationTokenSource(TransferTimeout);
        using var destination = new MemoryStream();
        TftpTransferResult result = await client.GetAsync(endPoint, name, destination, progress: null, cancel.Token);
        return (result, Convert.ToHexString(SHA256.HashData(destination.ToArray())));
    }
}
