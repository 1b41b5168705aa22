using System.Globalization;
using System.Text.RegularExpressions;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.Cli;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Fat;

/// <summary>
/// Our FAT reader and writer against the real tools, both ways: volumes made by <c>mkfs.vfat</c>
/// (dosfstools) and filled by mtools (long names, a path four levels deep, a file fragmented into the
/// holes a deleted file left) behind no partition table, an MBR from <c>sfdisk</c>, a GPT from
/// <c>sgdisk</c> or <c>parted</c>, read back byte for byte; and the sticks <see cref="FatFormatter"/> and
/// <c>recoverysim usb create</c> write pass <c>fsck.vfat -n</c> and read back with <c>mcopy -i</c>.
/// </summary>
public sealed partial class FatPeerInteropTests : IDisposable
{
    private const long Partition = 2048;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-fat-").FullName;
    private readonly string _mkfs = PeerTool.Find("mkfs.vfat", "dosfstools");
    private readonly string _fsck = PeerTool.Find("fsck.vfat", "dosfstools");
    private readonly string _mcopy = PeerTool.Find("mcopy", "mtools");
    private readonly string _mmd = PeerTool.Find("mmd", "mtools");
    private readonly string _mdel = PeerTool.Find("mdel", "mtools");
    private readonly string _mdir = PeerTool.Find("mdir", "mtools");
    private readonly string _mshowfat = PeerTool.Find("mshowfat", "mtools");

    /// <summary>Removes the test's images.</summary>
    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Volumes mkfs.vfat and mtools wrote read back exactly, whatever the type and the partition table.</summary>
    [Theory]
    [InlineData(12, "none")]
    [InlineData(12, "sfdisk")]
    [InlineData(12, "sgdisk")]
    [InlineData(16, "none")]
    [InlineData(16, "sfdisk")]
    [InlineData(16, "parted")]
    [InlineData(32, "none")]
    [InlineData(32, "sgdisk")]
    [InlineData(32, "parted")]
    public async Task We_read_the_volumes_mkfs_vfat_and_mtools_write(int fat, string table)
    {
        long volumeSectors = fat switch { 12 => 8L << 11, 16 => 32L << 11, _ => 64L << 11 }; // 8, 32, 64 MiB
        (string image, long offset) = await PartitionedImageAsync(table, fat, volumeSectors);
        string[] mkfs = offset == 0 ? [] : ["--offset", offset.ToString(CultureInfo.InvariantCulture)];
        await RunOkAsync(_mkfs, ["-F", $"{fat}", "-n", "PEERS", "-i", "1234ABCD", .. mkfs, image, (volumeSectors / 2).ToString(CultureInfo.InvariantCulture)]);
        string target = $"{image}@@{offset * 512}";

        // A, B, A2 side by side; B deleted leaves a hole that BIG must fill before it goes on.
        var files = new Dictionary<string, byte[]>
        {
            ["/A"] = Content(5000, 1),
            ["/A2"] = Content(3000, 3),
            ["/BIG"] = Content(fat == 12 ? 300_000 : 1_500_000, 4),
            ["/readme.txt"] = Content(100, 5),
            ["/one/Two Words/three.d/four/A Long File Name, Ünïcödé.bin"] = Content(70_000, 6),
        };
        await CopyInAsync(target, "/A", files["/A"]);
        await CopyInAsync(target, "/B", Content(40_000, 2));
        await CopyInAsync(target, "/A2", files["/A2"]);
        await RunOkAsync(_mdel, ["-i", target, "::/B"]);
        if (fat == 32)
        {
            ClearNextFreeHint(image, offset); // else mtools goes on after A2 instead of filling B's hole
        }

        await CopyInAsync(target, "/BIG", files["/BIG"]);
        PeerResult chain = await RunOkAsync(_mshowfat, ["-i", target, "::/BIG"]);
        Assert.True(Regex.Count(chain.StandardOutput, "<") >= 2, $"BIG is not fragmented: {chain}");
        await CopyInAsync(target, "/readme.txt", files["/readme.txt"]);
        await RunOkAsync(_mmd, ["-i", target, "::/one", "::/one/Two Words", "::/one/Two Words/three.d", "::/one/Two Words/three.d/four"]);
        string deep = "/one/Two Words/three.d/four/A Long File Name, Ünïcödé.bin";
        await CopyInAsync(target, deep, files[deep]);

        using var disk = FileBlockDevice.Open(image, writable: false);
        using FatVolume volume = FatVolume.Mount(disk);
        Assert.Equal(fat switch { 12 => FatType.Fat12, 16 => FatType.Fat16, _ => FatType.Fat32 }, volume.Type);
        Assert.Equal(offset, volume.FirstSector);
        Assert.Equal("PEERS", volume.VolumeLabel);
        foreach ((string path, byte[] content) in files)
        {
            using Stream stream = volume.OpenRead(path.ToUpperInvariant());
            Assert.Equal(content.Length, stream.Length);
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()), $"{path} differs");
        }

        Assert.Equal(["A", "BIG", "A2", "readme.txt", "one"], volume.List("/").Select(e => e.Name)); // BIG took B's deleted entry
        Assert.Null(volume.Find("/B"));
        Assert.Equal("A Long File Name, Ünïcödé.bin", Assert.Single(volume.List("/ONE/two words/THREE.D/four")).Name);
        Assert.Empty(volume.Problems);
    }

    /// <summary>Sticks we write (through the library, or through <c>recoverysim usb create</c> in-process) pass <c>fsck.vfat -n</c>, list in <c>mdir</c> and copy out with <c>mcopy</c> byte for byte.</summary>
    [Theory]
    [InlineData(FatType.Fat12, StickPartitionTable.None, false)]
    [InlineData(FatType.Fat12, StickPartitionTable.Mbr, true)]
    [InlineData(FatType.Fat16, StickPartitionTable.Gpt, false)]
    [InlineData(FatType.Fat16, StickPartitionTable.None, true)]
    [InlineData(FatType.Fat32, StickPartitionTable.Mbr, false)]
    [InlineData(FatType.Fat32, StickPartitionTable.Gpt, true)]
    public async Task Fsck_and_mtools_accept_the_sticks_we_write(FatType type, StickPartitionTable table, bool viaCli)
    {
        byte[] content = Content(type == FatType.Fat12 ? 900_000 : 3_000_000, 9);
        const string path = "/recovery/Deep Dir/golden.rsim";
        string image = Path.Combine(_directory, "ours.img");
        if (viaCli)
        {
            string golden = Path.Combine(_directory, "golden.tar");
            await File.WriteAllBytesAsync(golden, content);
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = await RecoverySimCli.RunAsync(
                ["usb", "create", image, "--image", golden, "--fat", $"{FatBootSector.EntryBits(type)}", "--partition-table", table.ToString().ToLowerInvariant(), "--path", path, "--label", "GOLDEN"],
                new CliContext(output, error));
            Assert.True(exit == 0, $"usb create: exit {exit}; {output}{error}");
        }
        else
        {
            FatStickLayout layout = FatFormatter.Plan(content.Length, new FatFormatOptions { Type = type, PartitionTable = table, Path = path, VolumeLabel = "GOLDEN" });
            using FileBlockDevice stick = FileBlockDevice.Create(image, layout.StickSectors);
            FatFormatter.Write(stick, layout, new MemoryStream(content));
        }

        long first;
        FatBootSector boot;
        using (FileBlockDevice stick = FileBlockDevice.Open(image, writable: false))
        using (FatVolume ours = FatVolume.Mount(stick))
        {
            (first, boot) = (ours.FirstSector, ours.BootSector);
            Assert.Equal(type, ours.Type);
        }

        // fsck.vfat checks a volume from its first byte: give it the partition alone.
        string volume = image;
        if (first != 0)
        {
            volume = Path.Combine(_directory, "partition.img");
            using var source = new FileStream(image, FileMode.Open, FileAccess.Read);
            using var partition = new FileStream(volume, FileMode.CreateNew);
            source.Position = first * 512;
            await source.CopyToAsync(partition);
            partition.SetLength(boot.TotalSectors * 512);
        }

        PeerResult fsck = await RunOkAsync(_fsck, ["-n", "-v", volume]);
        Assert.Contains($"/{boot.ClusterCount} clusters", fsck.StandardOutput);
        Assert.Contains($"2 FATs, {FatBootSector.EntryBits(type)} bit entries", fsck.StandardOutput);

        string target = $"{image}@@{first * 512}";
        PeerResult listing = await RunOkAsync(_mdir, ["-i", target, "::/recovery/Deep Dir"]);
        Assert.Contains("golden.rsim", listing.StandardOutput);
        Assert.Contains("Volume in drive : is GOLDEN", listing.StandardOutput);
        string copy = Path.Combine(_directory, "copy.bin");
        await RunOkAsync(_mcopy, ["-n", "-i", target, $"::{path}", copy]);
        Assert.True(content.AsSpan().SequenceEqual(File.ReadAllBytes(copy)), "mcopy read other bytes");
    }

    private static byte[] Content(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>An image with room for a volume of <paramref name="volumeSectors"/>: bare, or with one partition from sector 2048 made by the named tool. Returns the volume's first sector.</summary>
    private async Task<(string Image, long Offset)> PartitionedImageAsync(string table, int fat, long volumeSectors)
    {
        string image = Path.Combine(_directory, $"{table}-{fat}.img");
        long sectors = table == "none" ? volumeSectors : Partition + volumeSectors + Partition;
        await using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(sectors * 512);
        }

        string size = volumeSectors.ToString(CultureInfo.InvariantCulture);
        switch (table)
        {
            case "none":
                return (image, 0);
            case "sfdisk":
                string type = fat switch { 12 => "1", 16 => "e", _ => "c" };
                await RunOkAsync(PeerTool.Find("sfdisk", "fdisk"), ["--no-reread", "-q", image], $"label: dos\nstart={Partition}, size={size}, type={type}\n");
                break;
            case "sgdisk":
                await RunOkAsync(PeerTool.Find("sgdisk", "gdisk"), ["-o", "-n", $"1:{Partition}:+{volumeSectors / 2}K", "-t", "1:0700", "-c", "1:golden", image]);
                break;
            default:
                long endMiB = (Partition + volumeSectors) / 2048;
                await RunOkAsync(PeerTool.Find("parted", "parted"), ["-s", image, "mklabel", fat == 16 ? "msdos" : "gpt", "mkpart", "primary", fat == 16 ? "fat16" : "fat32", "1MiB", $"{endMiB}MiB"]);
                break;
        }

        return (image, Partition);
    }

    /// <summary>Sets FSI_Nxt_Free of the FAT32 volume at <paramref name="offset"/> to 0xFFFFFFFF ("unknown"): mtools then looks for free clusters from cluster 2.</summary>
    private static void ClearNextFreeHint(string image, long offset)
    {
        using var file = new FileStream(image, FileMode.Open, FileAccess.ReadWrite);
        file.Position = ((offset + 1) * 512) + 492; // FSInfo is sector 1 of the volume (BPB_FSInfo as mkfs.vfat writes it)
        file.Write([0xFF, 0xFF, 0xFF, 0xFF]);
    }

    private async Task CopyInAsync(string target, string path, byte[] content)
    {
        string local = Path.Combine(_directory, "in.bin");
        await File.WriteAllBytesAsync(local, content);
        await RunOkAsync(_mcopy, ["-i", target, local, $"::{path}"]);
    }

    private static async Task<PeerResult> RunOkAsync(string program, string[] arguments, string? standardInput = null)
    {
        PeerResult result = await PeerProcess.RunAsync(program, arguments, Timeout, standardInput: standardInput);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
