using System.Net;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Interop.Tests.Tftp;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;
using RecoverySim.Tftp;

namespace RecoverySim.Interop.Tests.Recovery;

/// <summary>A bricked board heals itself from a golden image served by the real TFTP servers of a lab bench: tftpd-hpa and dnsmasq.</summary>
[Collection(PeerServersCollection.Name)]
public class RecoveryFromPeerServersTests(PeerServersFixture peers)
{
    private static readonly byte[] Golden = RecoveryBench.Golden("1.0.0", 1, seed: 21);

    public static TheoryData<string> Servers() => ["tftpd-hpa", "dnsmasq"];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task ABrickedBoardRecoversFromTheServer(string server)
    {
        string name = "recovery-golden.rsim";
        await File.WriteAllBytesAsync(Path.Combine(peers.Files.Root, name), Golden);
        IPEndPoint endPoint = server == "tftpd-hpa" ? await peers.TftpdHpaAsync() : await peers.DnsmasqAsync();
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();
        string userdata = bench.UserdataHash();

        // blksize and tsize (both servers grant them); windowsize is asked for and, where refused, plain lockstep follows.
        var source = new TftpImageSource(endPoint, name, new TftpClientOptions { BlockSize = 1468, WindowSize = 8, ReceiveSpin = TimeSpan.Zero });
        PowerOnResult result = bench.PowerOn([source]);

        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(Golden.Length, result.Recovery!.BytesFetched);
        Assert.Equal(1468, source.LastTransfer!.Value.Options.BlockSize);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
        Assert.Equal(userdata, bench.UserdataHash());
    }
}
