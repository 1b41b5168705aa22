using RecoverySim.Bootloader.Boot;
using RecoverySim.Lab.Network;
using RecoverySim.Lab.Time;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Lab.Tests.Network;

/// <summary>
/// Our server's transfer code and our client over the in-memory, seeded link: bit-exact transfers
/// through loss, duplication and reordering, the same run from the same seed (every count and the
/// simulated time), and a whole recovery over it that replays event for event.
/// </summary>
public sealed class InMemoryTftpLinkTests : IDisposable
{
    private static readonly LinkImpairment Bad = new() { LossRate = 0.1, DuplicateRate = 0.05, ReorderRate = 0.1, ReorderDelay = TimeSpan.FromMilliseconds(3), Delay = TimeSpan.FromMilliseconds(1) };
    private readonly string _root = Directory.CreateTempSubdirectory("rsim-inmemory-tftp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private byte[] Serve(string name, int bytes, int seed = 5)
    {
        byte[] content = new byte[bytes];
        new Random(seed).NextBytes(content);
        File.WriteAllBytes(Path.Combine(_root, name), content);
        return content;
    }

    private InMemoryTftpLink Link(LinkImpairment? impairment = null, int seed = 1) =>
        new(new TftpServerOptions { Root = _root, Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 20 }, new SimulatedClock(), impairment, impairment, seed);

    private static (MemoryStream Output, TftpTransferResult Result) Get(InMemoryTftpLink link, string name, int blockSize, int windowSize)
    {
        var client = new TftpClient(new TftpClientOptions { BlockSize = blockSize, WindowSize = windowSize, Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 20 }, link.Clock);
        var output = new MemoryStream();
        using ITftpChannel channel = link.OpenClient();
        TftpTransferResult result = client.GetAsync(channel, name, output).GetAwaiter().GetResult();
        return (output, result);
    }

    [Theory]
    [InlineData(512, 1)]
    [InlineData(1468, 8)]
    [InlineData(8192, 16)]
    public void AFileArrivesBitExactOverACleanLink(int blockSize, int windowSize)
    {
        byte[] content = Serve("f.bin", 300_000);
        InMemoryTftpLink link = Link();

        (MemoryStream output, TftpTransferResult result) = Get(link, "f.bin", blockSize, windowSize);

        Assert.Equal(content, output.ToArray());
        Assert.Equal(0, result.Retransmissions);
        TftpTransferLogEntry served = Assert.Single(link.Transfers);
        Assert.Null(served.Error);
        Assert.Equal(content.Length, served.Bytes);
    }

    [Theory]
    [InlineData(512, 1)]
    [InlineData(1468, 8)]
    public void AFileArrivesBitExactThroughLossDuplicationAndReordering(int blockSize, int windowSize)
    {
        byte[] content = Serve("f.bin", 200_000);
        InMemoryTftpLink link = Link(Bad, seed: 3);

        (MemoryStream output, TftpTransferResult result) = Get(link, "f.bin", blockSize, windowSize);

        Assert.Equal(content, output.ToArray());
        Assert.True(link.Dropped > 0 && link.Duplicated > 0, $"dropped {link.Dropped}, duplicated {link.Duplicated}");
        Assert.True(result.Retransmissions > 0);
        Assert.True(link.Clock.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunAndAnotherSeedAnother()
    {
        Serve("f.bin", 200_000);
        string Run(int seed)
        {
            InMemoryTftpLink link = Link(Bad, seed);
            (_, TftpTransferResult result) = Get(link, "f.bin", 1468, 4);
            return $"{link.Dropped}/{link.Duplicated}/{result.Retransmissions}/{result.Bytes}/{link.Clock.Elapsed.Ticks}";
        }

        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    [Fact]
    public void AMissingFileIsTheServersError()
    {
        InMemoryTftpLink link = Link();
        var e = Assert.Throws<TftpProtocolException>(() => Get(link, "nope.bin", 512, 1));
        Assert.True(e.FromPeer);
        Assert.Equal(TftpErrorCode.FileNotFound, e.ErrorCode);
    }

    [Fact]
    public void ARecoveryOverALossyLinkReplaysEventForEvent()
    {
        byte[] golden = RecoveryBench.Golden("1.0.0", 1, seed: 9);
        File.WriteAllBytes(Path.Combine(_root, "golden.rsim"), golden);

        string Run()
        {
            var bench = new RecoveryBench();
            bench.Flash(golden);
            bench.Brick();
            var clock = new SimulatedClock();
            var link = new InMemoryTftpLink(new TftpServerOptions { Root = _root, Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 20 }, clock, Bad, Bad, seed: 11);
            var options = new TftpClientOptions { BlockSize = 1468, WindowSize = 8, Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 20 };
            var source = new TftpImageSource("tftp in-memory/golden.rsim", link.OpenClient, "golden.rsim", options, clock);

            // The board's timeline keeps its own clock: the transfer's timeouts run on the link's,
            // on the thread that fetches, while recovery writes and logs on its own.
            PowerOnResult result = bench.PowerOn([source], time: new RecoverySim.Testing.ManualTimeProvider());

            Assert.True(result.Outcome == BootOutcome.Recovered, string.Join("; ", result.Recovery?.Failures.Select(f => f.Reason) ?? []));
            Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
            Assert.True(link.Dropped > 0);
            return string.Join("\n", result.Events.Select(e => $"{e.Time:O} {e.Kind.Name} {e.Message}")) + $"\n{link.Dropped} {link.Duplicated} {clock.Elapsed.Ticks} {source.LastTransfer!.Value.Retransmissions}";
        }

        Assert.Equal(Run(), Run());
    }
}
