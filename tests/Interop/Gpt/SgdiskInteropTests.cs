using RecoverySim.Testing;
using System.Globalization;
using System.Text.RegularExpressions;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Gpt;

/// <summary>
/// Our GPT against the real <c>sgdisk</c> (gdisk package), both ways: disks we write pass
/// <c>sgdisk -v</c> and list our names and sizes in <c>sgdisk -p</c>; disks sgdisk writes read
/// back with the same partitions; a disk we repaired passes <c>sgdisk -v</c> again.
/// </summary>
public sealed partial class SgdiskInteropTests : IDisposable
{
    private const int SectorSize = 512;
    private const long DiskBytes = 64L << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-sgdisk-").FullName;
    private readonly string _sgdisk = PeerTool.Find("sgdisk", "gdisk");

    /// <summary>Removes the test's images.</summary>
    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A disk we write is accepted by <c>sgdisk -v</c> and listed by <c>sgdisk -p</c> with our names, LBAs and disk GUID.</summary>
    [Fact]
    public async Task Sgdisk_verifies_and_lists_the_disks_we_write()
    {
        string image = Path.Combine(_directory, "ours.img");
        GptTable table;
        using (var disk = FileBlockDevice.Create(image, DiskBytes / SectorSize))
        {
            table = GptTable.Create(SectorSize, disk.SectorCount, BoardLayout(), SeededGuids.From(11));
            table.Write(disk);
        }

        await AssertNoProblemsAsync(image);
        PeerResult listing = await RunAsync("-p", image);
        Assert.Contains($"Disk identifier (GUID): {table.DiskGuid.ToString().ToUpperInvariant()}", listing.StandardOutput);
        List<(int Number, long Start, long End, string Name)> rows = ParseListing(listing.StandardOutput);
        Assert.Equal(table.Partitions.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            GptPartitionEntry entry = table.Partitions[i];
            Assert.Equal((i + 1, entry.FirstLba, entry.LastLba, entry.Name), rows[i]);
        }

        // sgdisk -i shows the type and unique GUIDs as we stored them (mixed-endian on disk).
        PeerResult info = await RunAsync("-i", "2", image);
        Assert.Contains($"Partition GUID code: {GptPartitionTypes.AndroidBoot.ToString().ToUpperInvariant()}", info.StandardOutput);
        Assert.Contains($"Partition unique GUID: {table.Partitions[1].UniqueGuid.ToString().ToUpperInvariant()}", info.StandardOutput);
    }

    /// <summary>A disk <c>sgdisk -o -n -c -t -A</c> wrote reads back healthy with its names, types, attributes and LBAs.</summary>
    [Fact]
    public async Task We_read_the_disks_sgdisk_writes()
    {
        string image = CreateSparse("theirs.img");
        await RunAsync("-o",
            "-n", "1:0:+64K", "-c", "1:misc", "-t", "1:a004",
            "-n", "2:0:+1M", "-c", "2:boot_a", "-t", "2:a002", "-A", "2:set:2",
            "-n", "3:0:+2M", "-c", "3:système_a", "-t", "3:a006",
            "-n", "4:0:0", "-c", "4:userdata", "-t", "4:a008",
            image);
        PeerResult listing = await RunAsync("-p", image);
        List<(int Number, long Start, long End, string Name)> rows = ParseListing(listing.StandardOutput);

        using var disk = FileBlockDevice.Open(image, writable: false);
        GptReadResult result = GptTable.Read(disk);
        Assert.True(result.IsHealthy, string.Join("; ", result.Problems));
        IReadOnlyList<GptPartitionEntry> partitions = result.Table.Partitions;
        Assert.Equal(["misc", "boot_a", "système_a", "userdata"], partitions.Select(p => p.Name));
        Assert.Equal(rows.Select(r => (r.Start, r.End)), partitions.Select(p => (p.FirstLba, p.LastLba)));
        Assert.Equal(
            [GptPartitionTypes.AndroidMisc, GptPartitionTypes.AndroidBoot, GptPartitionTypes.AndroidSystem, GptPartitionTypes.AndroidUserData],
            partitions.Select(p => p.TypeGuid));
        Assert.Equal(1UL << 2, partitions[1].Attributes);
        Assert.Equal((1L << 20) / SectorSize, partitions[1].SectorCount);
        Assert.Contains($"Disk identifier (GUID): {result.Table.DiskGuid.ToString().ToUpperInvariant()}", listing.StandardOutput);
    }

    /// <summary>A sgdisk disk with a damaged primary (then backup) reads through the other copy, and our repair satisfies <c>sgdisk -v</c>.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Our_repair_of_a_damaged_copy_satisfies_sgdisk(bool damagePrimary)
    {
        string image = CreateSparse("damaged.img");
        await RunAsync("-o", "-n", "1:0:+1M", "-c", "1:boot_a", "-n", "2:0:0", "-c", "2:userdata", image);
        GptTable original;
        using (var disk = FileBlockDevice.Open(image))
        {
            original = GptTable.Read(disk).Table;
            long lba = damagePrimary ? 1 : disk.SectorCount - 1;
            disk.Write(lba, new byte[SectorSize]);
            disk.Flush();
        }

        PeerResult broken = await RunAsync(["-v", image], expectSuccess: false);
        Assert.Matches(Complaint(), broken.StandardOutput + broken.StandardError);

        using (var disk = FileBlockDevice.Open(image))
        {
            GptReadResult result = GptTable.Read(disk);
            Assert.Equal(damagePrimary ? GptCopy.Backup : GptCopy.Primary, result.UsedCopy);
            Assert.Equal(damagePrimary ? GptDamage.Primary : GptDamage.Backup, result.Damage);
            Assert.Equal(original, result.Table);
            result.Repair(disk);
        }

        await AssertNoProblemsAsync(image);
    }

    /// <summary>
    /// Over a real block device (a loop device on a sparse file): the size comes from seeking to
    /// the end, and the table we write there passes <c>sgdisk -v</c> on the device node.
    /// </summary>
    [Fact]
    public async Task Block_device_path_is_sized_by_seeking_and_takes_a_table_sgdisk_accepts()
    {
        string losetup = PeerTool.Find("losetup", "util-linux (and run as root with loop devices available)");
        string image = CreateSparse("loop.img");
        PeerResult attach = await PeerProcess.RunAsync(losetup, ["--find", "--show", image], Timeout);
        Assert.True(attach.ExitCode == 0, $"losetup could not attach a loop device (root and /dev/loop* are needed): {attach}");
        string device = attach.StandardOutput.Trim();
        try
        {
            using (var disk = FileBlockDevice.Open(device))
            {
                Assert.True(disk.IsBlockDevice);
                Assert.Equal(DiskBytes / SectorSize, disk.SectorCount);
                GptTable.Create(SectorSize, disk.SectorCount, BoardLayout(), SeededGuids.From(3)).Write(disk);
            }

            await AssertNoProblemsAsync(device);
        }
        finally
        {
            await PeerProcess.RunAsync(losetup, ["--detach", device], Timeout);
        }
    }

    private static GptPartitionSpec[] BoardLayout() =>
    [
        new("misc", 64 << 10, GptPartitionTypes.AndroidMisc),
        new("boot_a", 4 << 20, GptPartitionTypes.AndroidBoot),
        new("boot_b", 4 << 20, GptPartitionTypes.AndroidBoot),
        new("system_a", 16 << 20, GptPartitionTypes.AndroidSystem),
        new("system_b", 16 << 20, GptPartitionTypes.AndroidSystem),
        new("vendor_a", 4 << 20, GptPartitionTypes.AndroidVendor),
        new("vendor_b", 4 << 20, GptPartitionTypes.AndroidVendor),
        GptPartitionSpec.Fill("userdata", GptPartitionTypes.AndroidUserData),
    ];

    private string CreateSparse(string name)
    {
        string path = Path.Combine(_directory, name);
        using var file = new FileStream(path, FileMode.Create);
        file.SetLength(DiskBytes);
        return path;
    }

    private async Task AssertNoProblemsAsync(string image)
    {
        // sgdisk -v says "No problems found" even after it silently loaded the backup, with the
        // complaint on stderr: both must be clean.
        PeerResult verify = await RunAsync("-v", image);
        Assert.True(verify.StandardOutput.Contains("No problems found", StringComparison.Ordinal), $"sgdisk -v {image}: {verify}");
        Assert.False(Complaint().IsMatch(verify.StandardOutput + verify.StandardError), $"sgdisk -v {image} complains: {verify}");
    }

    private Task<PeerResult> RunAsync(params string[] arguments) => RunAsync(arguments, expectSuccess: true);

    private async Task<PeerResult> RunAsync(string[] arguments, bool expectSuccess)
    {
        PeerResult result = await PeerProcess.RunAsync(_sgdisk, arguments, Timeout);
        if (expectSuccess)
        {
            Assert.True(result.ExitCode == 0, $"sgdisk {string.Join(' ', arguments)}: {result}");
        }

        return result;
    }

    /// <summary>The partition rows of <c>sgdisk -p</c>: "   1            2048            4095   1024.0 KiB  8300  boot_a".</summary>
    private static List<(int Number, long Start, long End, string Name)> ParseListing(string output) =>
        [.. output.Split('\n')
            .Select(line => PartitionRow().Match(line))
            .Where(m => m.Success)
            .Select(m => (
                int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                m.Groups[4].Value.TrimEnd()))];

    [GeneratedRegex(@"(?i)invalid|error|corrupt|warning|mismatch|identified \d+ problem")]
    private static partial Regex Complaint();

    [GeneratedRegex(@"^\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+ \S+\s+[0-9A-F]{4}\s\s(.*)$")]
    private static partial Regex PartitionRow();
}
