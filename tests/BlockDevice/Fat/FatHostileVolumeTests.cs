using System.Buffers.Binary;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.BlockDevice.Mbr;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>
/// Damaged and hostile volumes: every bad chain, directory cycle, oversized directory, missing path
/// and non-FAT stick is a typed exception naming what is wrong; a FAT #1 that is damaged or
/// unreadable for a chain is replaced by FAT #2.
/// </summary>
public sealed class FatHostileVolumeTests
{
    // FAT16 superfloppy, 512-byte clusters: /recovery is cluster 2, the file clusters 3 … 42.
    private const int FileBytes = 40 * 512 - 100;
    private const uint FileFirst = 3;
    private const uint FileLast = 42;
    private const string File = FatFormatOptions.DefaultPath;

    private readonly byte[] _content = FatGen.Content(FileBytes, 17);

    [Fact]
    public void The_test_volume_is_laid_out_as_the_tests_assume()
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        using FatVolume volume = FatVolume.Mount(stick);
        FatFileInfo file = volume.Find(File)!;
        Assert.Equal(FatType.Fat16, boot.Type);
        Assert.Equal(512, boot.ClusterBytes);
        Assert.Equal(FileFirst, file.FirstCluster);
        Assert.Equal(_content, FatGen.ReadAll(volume.OpenRead(File)));
    }

    [Theory]
    [InlineData(10u, 5u, "visits cluster 5 twice (a loop)")]
    [InlineData(10u, 10u, "visits cluster 10 twice (a loop)")]
    [InlineData(20u, 0xFFFFu, "the chain ends at cluster 20 after 18 clusters, the size needs 40")]
    [InlineData(10u, 0u, "the FAT entry of cluster 10 (cluster 8 of the chain) is a free cluster (0)")]
    [InlineData(10u, 1u, "is the reserved value 1")]
    [InlineData(10u, 0xFFF7u, "is the bad-cluster mark")]
    [InlineData(10u, 0xFFF0u, "past the last cluster")]
    public void A_bad_chain_in_both_fats_is_a_format_error_naming_file_cluster_and_limit(uint cluster, uint value, string expected)
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        FatGen.SetFatEntry(stick, 0, boot, 0, cluster, value);
        FatGen.SetFatEntry(stick, 0, boot, 1, cluster, value);
        using FatVolume volume = FatVolume.Mount(stick);
        var error = Assert.Throws<FatFormatException>(() => volume.OpenRead(File));
        Assert.Contains("file '/recovery/golden.rsim'", error.Message);
        Assert.Contains("no valid cluster chain (FAT #1: the ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("FAT #2:", error.Message);
    }

    [Fact]
    public void A_first_cluster_outside_the_volume_or_a_size_larger_than_the_volume_is_a_format_error()
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        PatchFileEntry(stick, boot, entry => entry with { FirstClusterLow = 0xFFF0 });
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains($"first cluster 65520 is outside the clusters [2, {boot.MaxCluster}]", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }

        PatchFileEntry(stick, boot, entry => entry with { FirstClusterLow = (ushort)FileFirst, FileSize = uint.MaxValue });
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("the volume has only", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }

        PatchFileEntry(stick, boot, entry => entry with { FileSize = FileBytes + 1000 });
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("after 40 clusters, the size needs 42", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }
    }

    [Fact]
    public void A_chain_longer_than_the_size_or_cross_linked_with_its_directory_is_a_format_error()
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        foreach (int copy in new[] { 0, 1 })
        {
            FatGen.SetFatEntry(stick, 0, boot, copy, FileLast, FileLast + 1);
            FatGen.SetFatEntry(stick, 0, boot, copy, FileLast + 1, 0xFFFF);
        }

        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("the chain goes on after cluster 42, its 40th and the last the size needs (FAT entry 0x2B", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }

        foreach (int copy in new[] { 0, 1 })
        {
            FatGen.SetFatEntry(stick, 0, boot, copy, FileLast - 1, 2); // … 41, then cluster 2: /recovery itself, whose entry ends a chain
        }

        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("file '/recovery/golden.rsim': its clusters from 2 are those of a directory on its path (cross-linked)", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }
    }

    [Theory]
    [InlineData(10u, 0u)]
    [InlineData(10u, 5u)]
    [InlineData(41u, 0xFFFFu)]
    [InlineData(3u, 0xFFF7u)]
    public void A_chain_damaged_in_fat_1_only_is_read_from_fat_2(uint cluster, uint value)
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        FatGen.SetFatEntry(stick, 0, boot, 0, cluster, value);
        using FatVolume volume = FatVolume.Mount(stick);
        Assert.Equal(_content, FatGen.ReadAll(volume.OpenRead(File)));
        string problem = Assert.Single(volume.Problems);
        Assert.StartsWith("file '/recovery/golden.rsim': FAT #1 is damaged (", problem);
        Assert.EndsWith("FAT #2 used", problem);
    }

    [Fact]
    public void A_chain_damaged_in_fat_2_only_is_read_from_fat_1()
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        FatGen.SetFatEntry(stick, 0, boot, 1, 10, 0);
        using FatVolume volume = FatVolume.Mount(stick);
        Assert.Equal(_content, FatGen.ReadAll(volume.OpenRead(File)));
        Assert.Contains("FAT #2 is damaged", Assert.Single(volume.Problems));
    }

    [Fact]
    public void An_unreadable_fat_1_sector_is_read_from_fat_2()
    {
        (MemoryBlockDevice inner, FatBootSector boot) = Fat16();
        using var stick = new FaultyBlockDevice(inner, seed: 1);
        stick.AddBadSectors(FatGen.FatEntrySector(0, boot, 0, FileFirst));
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Equal(_content, FatGen.ReadAll(volume.OpenRead(File)));
        }

        stick.AddBadSectors(FatGen.FatEntrySector(0, boot, 1, FileFirst));
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            var error = Assert.Throws<FatFormatException>(() => volume.OpenRead(File));
            Assert.Contains("cannot be read in any copy", error.Message);
            Assert.IsType<MediumException>(error.InnerException);
        }
    }

    [Fact]
    public void Two_valid_but_different_chains_are_not_trusted()
    {
        (MemoryBlockDevice stick, FatBootSector boot) = Fat16();
        FatGen.SetFatEntry(stick, 0, boot, 0, FileLast - 1, 100); // FAT #1: … 40, 41, 100, end (40 clusters, valid)
        FatGen.SetFatEntry(stick, 0, boot, 0, 100, 0xFFFF);
        using FatVolume volume = FatVolume.Mount(stick);
        var error = Assert.Throws<FatFormatException>(() => volume.OpenRead(File));
        Assert.Contains("FAT #1 and FAT #2 give different valid chains from cluster 3 (3-41,100 and 3-42)", error.Message);
    }

    [Fact]
    public void With_fat32_mirroring_disabled_only_the_active_fat_counts()
    {
        byte[] content = FatGen.Content(5000, 4);
        (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(content, new FatFormatOptions { Type = FatType.Fat32, PartitionTable = StickPartitionTable.None });
        FatBootSector boot = layout.BootSector;
        uint first = 4; // root 2, /recovery 3
        FatGen.SetFatEntry(stick, 0, boot, 0, first + 1, 0);
        WriteBoot(stick, 0, boot with { ExtendedFlags = FatBootSector.MirroringDisabledFlag | 1 });
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Equal(content, FatGen.ReadAll(volume.OpenRead(File)));
        }

        WriteBoot(stick, 0, boot with { ExtendedFlags = FatBootSector.MirroringDisabledFlag });
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.DoesNotContain("FAT #2", Assert.Throws<FatFormatException>(() => volume.OpenRead(File)).Message);
        }
    }

    [Fact]
    public void A_directory_that_points_back_at_itself_its_parent_or_the_root_is_a_cycle()
    {
        // /a is cluster 2, /a/b cluster 3: b's entry is the third in a's directory.
        const string path = "/a/b/golden.rsim";
        (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(_content, new FatFormatOptions { Type = FatType.Fat16, PartitionTable = StickPartitionTable.None, Path = path });
        FatBootSector boot = layout.BootSector;
        void PointB(ushort cluster)
        {
            long sector = FatGen.ClusterSector(0, boot, 2);
            byte[] bytes = new byte[512];
            stick.Read(sector, bytes);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((2 * 32) + 26), cluster);
            stick.Write(sector, bytes);
        }

        PointB(2);
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("directory '/a/b': its clusters from 2 are those of a directory above it (a directory cycle)", Assert.Throws<FatFormatException>(() => volume.Find(path)).Message);
            Assert.Single(volume.List("/a")); // listing one directory is fine
        }

        PointB(0);
        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("directory '/a/b': first cluster 0, which stands for the root", Assert.Throws<FatFormatException>(() => volume.Find(path)).Message);
        }
    }

    [Fact]
    public void A_directory_chain_that_loops_or_passes_the_entry_bound_is_a_format_error()
    {
        (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(_content, new FatFormatOptions { Type = FatType.Fat32, PartitionTable = StickPartitionTable.None });
        FatBootSector boot = layout.BootSector;
        foreach (int copy in new[] { 0, 1 })
        {
            FatGen.SetFatEntry(stick, 0, boot, copy, 3, 3); // /recovery (cluster 3) loops on itself
        }

        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("directory '/recovery': no valid cluster chain (FAT #1: the chain visits cluster 3 twice (a loop)", Assert.Throws<FatFormatException>(() => volume.Find(File)).Message);
        }

        // Chain /recovery through 4,200 free clusters: more than 65,536 entries of 32 bytes.
        uint start = (uint)(2 + layout.UsedClusters);
        foreach (int copy in new[] { 0, 1 })
        {
            FatGen.SetFatEntry(stick, 0, boot, copy, 3, start);
            for (uint c = start; c < start + 4200; c++)
            {
                FatGen.SetFatEntry(stick, 0, boot, copy, c, c + 1);
            }
        }

        using (FatVolume volume = FatVolume.Mount(stick))
        {
            Assert.Contains("passes 4096 clusters (the bound of 65536 entries)", Assert.Throws<FatFormatException>(() => volume.List("/recovery")).Message);
        }
    }

    [Fact]
    public void Missing_paths_are_null_or_not_found_and_name_the_path()
    {
        (MemoryBlockDevice stick, _) = Fat16();
        using FatVolume volume = FatVolume.Mount(stick);
        Assert.Null(volume.Find("/recovery/other.rsim"));
        Assert.Null(volume.Find("/nothing/golden.rsim"));
        Assert.Null(volume.Find("/recovery/golden.rsim/below"));
        Assert.Equal("/recovery/nope", Assert.Throws<FatFileNotFoundException>(() => volume.OpenRead("/recovery/nope")).Path);
        Assert.Contains("is a directory", Assert.Throws<FatFileNotFoundException>(() => volume.OpenRead("/recovery")).Message);
        Assert.Contains("is a file", Assert.Throws<FatFileNotFoundException>(() => volume.List(File)).Message);
        Assert.Throws<FatFileNotFoundException>(() => volume.List("/missing"));
        Assert.True(volume.Find("/")!.IsDirectory);
        Assert.Equal(File, volume.Find(@"\RECOVERY\GOLDEN~1.RSI")!.Path);
        Assert.Throws<ArgumentException>(() => volume.Find("/recovery/../x"));
        Assert.Throws<ArgumentException>(() => volume.Find(string.Concat(Enumerable.Repeat("/d", FatVolume.MaxPathDepth + 1))));
        BlockDeviceException caught = Assert.Throws<FatFileNotFoundException>(() => volume.OpenRead("/x")); // one base type for callers
        Assert.NotNull(caught);
    }

    [Fact]
    public void A_stick_without_a_fat_volume_says_what_it_found()
    {
        Assert.Contains("no FAT volume on the stick", Assert.Throws<FatFormatException>(() => FatVolume.Mount(new MemoryBlockDevice(4096))).Message);
        Assert.Throws<FatFormatException>(() => FatVolume.Mount(MemoryBlockDevice.FromImage(FatGen.Content(1 << 20, 9))));

        var linux = new MemoryBlockDevice(8192);
        byte[] sector = new byte[512];
        MbrPartitionTable.WithSinglePartition(new MbrPartitionEntry(0, 0x83, 2048, 4096)).WriteTo(sector);
        linux.Write(0, sector);
        Assert.Contains("partition 1: type 0x83 is not a FAT type", Assert.Throws<FatFormatException>(() => FatVolume.Mount(linux)).Message);

        MbrPartitionTable.WithSinglePartition(new MbrPartitionEntry(0, 0x0C, 2048, 8192)).WriteTo(sector);
        linux.Write(0, sector);
        Assert.Contains("past the end of the 8192-sector disk", Assert.Throws<FatFormatException>(() => FatVolume.Mount(linux)).Message);

        MbrPartitionTable.WithSinglePartition(new MbrPartitionEntry(0, 0x0C, 2048, 4096)).WriteTo(sector);
        linux.Write(0, sector);
        Assert.Contains("partition 1 (type 0x0C): boot sector: signature", Assert.Throws<FatFormatException>(() => FatVolume.Mount(linux)).Message);

        var gpt = new MemoryBlockDevice(8192);
        GptTable.Create(512, gpt.SectorCount, [new GptPartitionSpec("data", 1 << 20, GptPartitionTypes.LinuxFilesystem)], () => Guid.Parse("11111111-2222-3333-4444-555555555555")).Write(gpt);
        Assert.Contains("no FAT volume in the GPT partitions: partition 1 'data'", Assert.Throws<FatFormatException>(() => FatVolume.Mount(gpt)).Message);

        byte[] protective = new byte[512];
        ProtectiveMbr.ForDisk(8192).WriteTo(protective);
        var broken = new MemoryBlockDevice(8192);
        broken.Write(0, protective);
        var noGpt = Assert.Throws<FatFormatException>(() => FatVolume.Mount(broken));
        Assert.Contains("protective MBR but no valid GPT", noGpt.Message);
        Assert.IsType<GptFormatException>(noGpt.InnerException);
    }

    [Fact]
    public void A_volume_larger_than_its_partition_is_refused()
    {
        (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(_content, new FatFormatOptions { Type = FatType.Fat16, PartitionTable = StickPartitionTable.Mbr });
        byte[] sector = new byte[512];
        MbrPartitionTable.WithSinglePartition(new MbrPartitionEntry(0, 0x0E, 2048, (uint)layout.BootSector.TotalSectors - 1)).WriteTo(sector);
        stick.Write(0, sector);
        Assert.Contains($"MBR partition 1: the volume ({layout.BootSector.TotalSectors} sectors of 512 bytes) is larger than its", Assert.Throws<FatFormatException>(() => FatVolume.Mount(stick)).Message);
    }

    private (MemoryBlockDevice Stick, FatBootSector Boot) Fat16()
    {
        (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(_content, new FatFormatOptions { Type = FatType.Fat16, PartitionTable = StickPartitionTable.None });
        return (stick, layout.BootSector);
    }

    /// <summary>Rewrites the file's entry: the 8.3 entry after the long-name pieces in /recovery (cluster 2).</summary>
    private static void PatchFileEntry(MemoryBlockDevice stick, FatBootSector boot, Func<FatDirectoryEntry, FatDirectoryEntry> change)
    {
        long sector = FatGen.ClusterSector(0, boot, 2);
        byte[] bytes = new byte[512];
        stick.Read(sector, bytes);
        int at = 3 * 32; // ".", "..", one long-name piece ("golden.rsim" is 11 code units)
        change(FatDirectoryEntry.Parse(bytes.AsSpan(at))).WriteTo(bytes.AsSpan(at));
        stick.Write(sector, bytes);
    }

    private static void WriteBoot(MemoryBlockDevice stick, long first, FatBootSector boot)
    {
        byte[] sector = new byte[512];
        boot.WriteTo(sector);
        stick.Write(first, sector);
    }
}
