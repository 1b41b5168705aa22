using System.Security.Cryptography;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Install;
using RecoverySim.Bootloader.Tests.Boards;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Tests.Install;

/// <summary>The one slot installer: its order of writes, resume, read-back, multiple targets, and a cut at every write.</summary>
public class SlotInstallerTests
{
    private const int PartitionBytes = 4 << 20;

    private static byte[] Image(int payloadBytes, string release = "r1") => TestBoard.Image("system", release, 1, payloadBytes: payloadBytes);

    private static SlotTarget Target(IBlockDevice device, string name = "system_a") => new(name, device);

    private static byte[] Contents(IBlockDevice device, int length)
    {
        byte[] bytes = new byte[(length + 511) / 512 * 512];
        device.Read(0, bytes);
        return bytes[..length];
    }

    /// <summary>Records, at each hook call, how many entries the write log had.</summary>
    private sealed class RecordingHook(WriteLog log) : ISlotInstallHook
    {
        public List<(string Step, int LogCount, long Bytes)> Calls { get; } = [];

        public void HeaderCleared() => Calls.Add(("cleared", log.Count, 0));

        public void PayloadDurable(long payloadBytes) => Calls.Add(("durable", log.Count, payloadBytes));

        public void Installed() => Calls.Add(("installed", log.Count, 0));
    }

    [Fact]
    public void WritesInTheDocumentedOrder()
    {
        byte[] image = Image((5 << 20) / 2); // 2.5 MiB of payload: two whole chunks and a half
        var recording = new RecordingBlockDevice(new MemoryBlockDevice(PartitionBytes / 512));
        var hook = new RecordingHook(recording.Log);
        SlotInstaller.Install([Target(recording)], new MemoryStream(image), image.Length, new SlotInstallOptions { DurableInterval = 1 << 20, Hook = hook });

        string Describe(WriteLogEntry e) => e.Kind == WriteLogEntryKind.Flush ? "flush" : $"write {e.Sector}+{e.SectorCount}";
        string[] log = recording.Log.Entries.Select(Describe).ToArray();
        const int Header = PartitionHeader.Size / 512, Chunk = SlotInstallOptions.ChunkBytes / 512;
        Assert.Equal(
        [
            $"write 0+{Header}", "flush",                            // the header zeroed: no valid image any more
            $"write {Header}+{Chunk}", "flush",                       // payload chunk 1, durable
            $"write {Header + Chunk}+{Chunk}", "flush",              // chunk 2, durable
            $"write {Header + 2 * Chunk}+{Chunk / 2}", "flush",      // the last half chunk
            $"write 0+{Header}", "flush",                            // the header, last
        ], log);
        Assert.Equal([("cleared", 2, 0L), ("durable", 4, 1L << 20), ("durable", 6, 2L << 20), ("durable", 8, (5L << 20) / 2), ("installed", 10, 0L)], hook.Calls);
        Assert.Equal(image, Contents(recording.Inner, image.Length));
    }

    [Fact]
    public void InstallsTheSameBytesIntoEveryTarget() =>
        Gen.Int[0, 3 << 20].Sample(payload =>
        {
            byte[] image = Image(payload);
            var a = new MemoryBlockDevice(PartitionBytes / 512);
            var b = new MemoryBlockDevice(PartitionBytes / 512);
            PartitionHeader written = SlotInstaller.Install([Target(a), Target(b, "system_b")], new MemoryStream(image), image.Length);
            Assert.Equal((ulong)payload, written.PayloadLength);
            Assert.Equal(image, Contents(a, image.Length));
            Assert.Equal(image, Contents(b, image.Length));
        }, iter: 20);

    [Fact]
    public void AResumeSkipsWhatIsDurableAndTheReadBackProvesIt()
    {
        byte[] image = Image(3 << 20);
        var device = new MemoryBlockDevice(PartitionBytes / 512);
        SlotInstaller.Install([Target(device)], new MemoryStream(image), image.Length);
        device.Write(0, new byte[PartitionHeader.Size]); // as a cut after two durable chunks leaves it

        var recording = new RecordingBlockDevice(device);
        SlotWriteStream install = SlotInstaller.Begin([Target(recording)], image.Length, new SlotInstallOptions { ResumePayloadBytes = 2 << 20 });
        install.Write(image);
        install.Commit();

        Assert.Equal(2L << 20, install.SkippedPayloadBytes);
        long firstWritten = recording.Log.Entries.Where(e => e.Kind == WriteLogEntryKind.Write && e.Sector != 0).Min(e => e.Sector);
        Assert.Equal((PartitionHeader.Size + (2 << 20)) / 512, firstWritten);
        Assert.Equal(image, Contents(device, image.Length));
    }

    [Fact]
    public void AResumeOverBytesThatAreNotTheImageFailsTheReadBackAndLeavesNoHeader()
    {
        byte[] image = Image(3 << 20);
        var device = new MemoryBlockDevice(PartitionBytes / 512); // zeros where the resume expects the image

        var error = Assert.Throws<SlotInstallException>(() => SlotInstaller.Install([Target(device)], new MemoryStream(image), image.Length,
            new SlotInstallOptions { ResumePayloadBytes = 1 << 20, ExpectedImageSha256 = SHA256.HashData(image) }));

        Assert.True(error.TargetAtFault);
        Assert.Contains("read back", error.Message);
        Assert.Equal(new byte[PartitionHeader.Size], Contents(device, PartitionHeader.Size));
    }

    [Fact]
    public void ImagesThatDoNotFitOrEndEarlyAreRefused()
    {
        var device = new MemoryBlockDevice(PartitionBytes / 512);
        byte[] image = Image(1000);
        Assert.Contains("does not fit", Assert.Throws<SlotInstallException>(() => SlotInstaller.Begin([Target(device)], PartitionBytes + 512)).Message);
        Assert.Contains("at least 4096", Assert.Throws<SlotInstallException>(() => SlotInstaller.Begin([Target(device)], 100)).Message);
        Assert.Contains("ended", Assert.Throws<SlotInstallException>(() => SlotInstaller.Install([Target(device)], new MemoryStream(image[..3000]), image.Length)).Message);
        using SlotWriteStream install = SlotInstaller.Begin([Target(device)], image.Length);
        install.Write(image);
        Assert.Contains("longer", Assert.Throws<SlotInstallException>(() => install.Write(new byte[1])).Message);
    }

    [Fact]
    public void AMediumErrorBlamesTheTarget()
    {
        var faulty = new FaultyBlockDevice(new MemoryBlockDevice(PartitionBytes / 512), seed: 1);
        faulty.AddBadSectors(100);
        byte[] image = Image(1 << 20);
        SlotInstallException error = Assert.Throws<SlotInstallException>(() => SlotInstaller.Install([Target(faulty)], new MemoryStream(image), image.Length));
        Assert.True(error.TargetAtFault);
        Assert.Equal("system_a", error.Target);
    }

    /// <summary>
    /// A cut at every write of an install over an older image, under every crash kind: the
    /// partition then verifies as the old image, as the new one, or not at all (its header is not
    /// valid, or its payload does not match the header) — never as a header over another payload.
    /// </summary>
    [Fact]
    public void ACutAtAnyWriteLeavesTheOldImageTheNewOneOrNoValidImage()
    {
        byte[] old = Image(2 << 20, "old"), @new = Image((5 << 20) / 2, "new");
        var start = new MemoryBlockDevice(PartitionBytes / 512);
        SlotInstaller.Install([Target(start)], new MemoryStream(old), old.Length);
        var recording = new RecordingBlockDevice(start.Clone());
        SlotInstaller.Install([Target(recording)], new MemoryStream(@new), @new.Length, new SlotInstallOptions { DurableInterval = 1 << 20 });

        int states = 0;
        foreach (CrashState state in CrashState.Enumerate(recording.Log, maxCacheStatesPerPrefix: 8, seed: 2).Where(s => !s.IsTorn || s.TornSectors % 512 == 1 || s.TornSectors == 4))
        {
            states++;
            using OverlayBlockDevice crashed = state.Open(start, recording.Log);
            byte[] header = Contents(crashed, PartitionHeader.Size);
            if (!PartitionHeader.TryParse(header, out PartitionHeader parsed))
            {
                continue;
            }

            byte[] image = Contents(crashed, PartitionHeader.Size + (int)parsed.PayloadLength);
            bool payloadMatches = parsed.PayloadHashEquals(SHA256.HashData(image.AsSpan(PartitionHeader.Size)));
            Assert.True(!payloadMatches || image.SequenceEqual(old) || image.SequenceEqual(@new), $"crash state {state}: a valid header over a payload that is neither image");
        }

        Assert.True(states > recording.Log.Count);
    }
}
