using System.Net;
using System.Net.Sockets;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;
using RecoverySim.Tftp;

namespace RecoverySim.Recovery.Tests;

/// <summary>Recovery over TFTP on loopback with our server: the pipelined fetch, a server that stalls, a file larger than any golden image for the board.</summary>
public sealed class TftpRecoveryTests : IAsyncLifetime
{
    private static readonly byte[] Golden = RecoveryBench.Golden("1.0.0", 1, seed: 3);
    private readonly string _root = Directory.CreateTempSubdirectory("rsim-recovery-tftp-").FullName;
    private TftpServer? _server;

    private IPEndPoint EndPoint => _server!.LocalEndPoint;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "golden.rsim"), Golden);
        _server = new TftpServer(new TftpServerOptions { Root = _root, EndPoint = new IPEndPoint(IPAddress.Loopback, 0), ReceiveSpin = TimeSpan.Zero });
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static TftpClientOptions Fast => new() { BlockSize = 8192, WindowSize = 16, ReceiveSpin = TimeSpan.Zero };

    [Theory]
    [InlineData(512, 1)]
    [InlineData(1468, 8)]
    [InlineData(65464, 16)]
    public void ABrickedBoardRecoversOverTftp(int blockSize, int windowSize)
    {
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();
        var source = new TftpImageSource(EndPoint, "golden.rsim", new TftpClientOptions { BlockSize = blockSize, WindowSize = windowSize, ReceiveSpin = TimeSpan.Zero });

        PowerOnResult result = bench.PowerOn([source]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(Golden.Length, result.Recovery!.BytesFetched);
        Assert.Equal(Golden.Length, source.LastTransfer!.Value.Options.TransferSize);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
    }

    [Fact]
    public void AServerThatStallsIsBoundedAndTheNextSourceIsTried()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)); // receives the request, never answers
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();
        var stalled = new TftpImageSource((IPEndPoint)silent.Client.LocalEndPoint!, "golden.rsim",
            new TftpClientOptions { Timeout = TimeSpan.FromMilliseconds(20), MaxRetries = 2, ReceiveSpin = TimeSpan.Zero }) { Attempts = 2 };

        PowerOnResult result = bench.PowerOn([stalled, new TftpImageSource(EndPoint, "golden.rsim", Fast)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(2, result.Recovery!.Failures.Count);
        Assert.All(result.Recovery.Failures, f => Assert.Contains("no reply", f.Reason));
        Assert.StartsWith($"tftp 127.0.0.1:{EndPoint.Port}/", result.Recovery.Source);
    }

    [Fact]
    public void AFileLargerThanAnyGoldenImageForTheBoardIsRefusedBeforeAnyWrite()
    {
        File.WriteAllBytes(Path.Combine(_root, "huge.rsim"), new byte[16 << 20]);
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();
        bench.PowerOn([]);
        string disk = RecoveryBench.Hash(bench.Disk);

        PowerOnResult result = bench.PowerOn([new TftpImageSource(EndPoint, "huge.rsim", Fast)]);

        Assert.Equal(BootOutcome.Bricked, result.Outcome);
        Assert.Contains("tsize", Assert.Single(result.Recovery!.Failures).Reason);
        Assert.Equal(disk, RecoveryBench.Hash(bench.Disk));
    }

    [Fact]
    public void AMissingFileIsTheServersClearError()
    {
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();

        PowerOnResult result = bench.PowerOn([new TftpImageSource(EndPoint, "nope.rsim", Fast), RecoveryBench.Source(Golden)]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Contains("nope.rsim", Assert.Single(result.Recovery!.Failures).Reason);
    }

    [Fact]
    public void ACutDuringARecoveryOverTftpResumesWithoutRewritingWhatWasDurable()
    {
        var start = new RecoveryBench();
        start.Flash(Golden);
        start.Brick();
        start.PowerOn([]);
        TftpImageSource Source() => new(EndPoint, "golden.rsim", Fast);
        var clean = new FaultyBlockDevice(start.Disk.Clone(), seed: 1);
        PowerOnResult full = start.PowerOn([Source()], clean);
        Assert.Equal(BootOutcome.Recovered, full.Outcome);
        long writes = clean.Stats.Writes;

        int resumedCuts = 0;
        for (long cut = 1; cut < writes; cut += 2)
        {
            var disk = new FaultyBlockDevice(start.Disk.Clone(), seed: cut);
            disk.CutAfterWrites(cut);
            Assert.Throws<PowerLossException>(() => start.PowerOn([Source()], disk));
            disk.PowerOn();

            PowerOnResult next = start.PowerOn([Source()], disk);

            // Recovered, or (a cut after recovery finished, in the power-on that followed) booted.
            Assert.True(next.Healthy && next.LastBoot.Release == "rel-1.0.0", $"cut after write {cut} of {writes}: {next.Outcome}");
            Assert.Equal(["rel-1.0.0", "rel-1.0.0"], start.SlotReleases(disk));
            if (next.Recovery is null)
            {
                continue;
            }

            Assert.True(next.Recovery.BytesWritten <= full.Recovery!.BytesWritten, $"cut after write {cut}: the next recovery wrote {next.Recovery.BytesWritten} bytes, a whole one writes {full.Recovery.BytesWritten}");
            if (next.Recovery.Resumed && next.Recovery.BytesWritten < full.Recovery.BytesWritten)
            {
                resumedCuts++;
            }
        }

        Assert.True(resumedCuts > 3, $"only {resumedCuts} cuts resumed past durable bytes");
    }
}
