using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Mbr;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>Round trips and fuzz of the FAT records: boot sector, directory entry, long-name entry, FSInfo, MBR.</summary>
public sealed class FatRecordTests
{
    private static readonly Gen<FatDirectoryEntry> GenEntry =
        Gen.Select(Gen.String[Gen.Char['\0', '\u00FF'], 11, 11], Gen.Byte, Gen.Byte, Gen.Byte, Gen.UShort, Gen.UShort, Gen.UShort)
            .Select(Gen.UShort, Gen.UShort, Gen.UShort, Gen.UShort, Gen.UInt, (t, high, wtime, wdate, low, size) => new FatDirectoryEntry
            {
                ShortName = t.Item1,
                Attributes = (FatAttributes)t.Item2,
                NtFlags = t.Item3,
                CreationTenths = t.Item4,
                CreationTime = t.Item5,
                CreationDate = t.Item6,
                LastAccessDate = t.Item7,
                FirstClusterHigh = high,
                WriteTime = wtime,
                WriteDate = wdate,
                FirstClusterLow = low,
                FileSize = size,
            });

    private static readonly Gen<MbrPartitionEntry> GenMbrEntry =
        Gen.Select(Gen.OneOf<byte>(0x00, 0x80), Gen.Byte[1, 255], Gen.UInt[1, 1_000_000], Gen.UInt[1, 1_000_000])
            .Select(t => new MbrPartitionEntry(t.Item1, t.Item2, t.Item3, t.Item4));

    [Fact]
    public void Boot_sector_round_trips()
    {
        FatGen.BootSector.Sample(boot =>
        {
            Assert.Null(boot.Validate());
            byte[] sector = new byte[boot.BytesPerSector];
            boot.WriteTo(sector);
            return FatBootSector.Parse(sector) == boot && FatBootSector.TryParse(sector, out FatBootSector again) && again == boot;
        }, iter: 2000);
    }

    [Fact]
    public void Fat_type_is_decided_by_cluster_count_alone()
    {
        // fatgen103: < 4085 clusters FAT12, < 65525 FAT16, else FAT32; a BPB of the other kind is refused.
        Assert.Equal(FatType.Fat12, WithClusters(4084, fat32: false).Type);
        Assert.Equal(FatType.Fat16, WithClusters(4085, fat32: false).Type);
        Assert.Equal(FatType.Fat16, WithClusters(65524, fat32: false).Type);
        Assert.Equal(FatType.Fat32, WithClusters(65525, fat32: true).Type);
        Assert.Contains("below the FAT32 minimum 65525", Assert.Throws<FatFormatException>(() => Reparse(WithClusters(65524, fat32: true))).Message);
        Assert.Contains("make a FAT32 volume", Assert.Throws<FatFormatException>(() => Reparse(WithClusters(65525, fat32: false))).Message);
    }

    [Fact]
    public void Boot_sector_fields_out_of_range_are_named()
    {
        FatBootSector good = WithClusters(5000, fat32: false);
        Assert.Contains("BPB_BytsPerSec 1000", Assert.Throws<FatFormatException>(() => Reparse(good with { BytesPerSector = 1000 })).Message);
        Assert.Contains("BPB_SecPerClus 3", Assert.Throws<FatFormatException>(() => Reparse(good with { SectorsPerCluster = 3 })).Message);
        Assert.Contains("BPB_NumFATs 3", Assert.Throws<FatFormatException>(() => Reparse(good with { NumberOfFats = 3 })).Message);
        Assert.Contains("BPB_RsvdSecCnt 0", Assert.Throws<FatFormatException>(() => Reparse(good with { ReservedSectors = 0 })).Message);
        Assert.Contains("BPB_Media 0x12", Assert.Throws<FatFormatException>(() => Reparse(good with { Media = 0x12 })).Message);
        Assert.Contains("fewer than the", Assert.Throws<FatFormatException>(() => Reparse(good with { FatSize16 = 2 })).Message);
        Assert.Contains("BS_jmpBoot", Assert.Throws<FatFormatException>(() => Reparse(good with { Jump = 0 })).Message);
        byte[] sector = new byte[512];
        good.WriteTo(sector);
        sector[511] = 0;
        Assert.Contains("signature 0x0055 at offset 510", Assert.Throws<FatFormatException>(() => FatBootSector.Parse(sector)).Message);
    }

    [Fact]
    public void Random_and_mutated_boot_sectors_give_a_typed_exception_or_a_valid_boot_sector()
    {
        Gen.OneOf(
                Gen.Byte.Array[512],
                Gen.Select(FatGen.BootSector, Gen.Int[0, 89], Gen.Byte[1, 255]).Select(t =>
                {
                    byte[] sector = new byte[Math.Max(512, (int)t.Item1.BytesPerSector)];
                    t.Item1.WriteTo(sector);
                    sector[t.Item2] ^= t.Item3;
                    return sector;
                }))
            .Sample(sector =>
            {
                try
                {
                    FatBootSector boot = FatBootSector.Parse(sector);
                    Assert.Null(boot.Validate());
                    Assert.InRange(boot.ClusterCount, 1, FatBootSector.Fat32MaxClusters);
                }
                catch (FatFormatException)
                {
                }
            }, iter: 5000);
    }

    [Fact]
    public void Directory_entry_round_trips()
    {
        GenEntry.Sample(entry =>
        {
            byte[] bytes = new byte[FatDirectoryEntry.Size];
            entry.WriteTo(bytes);
            return FatDirectoryEntry.Parse(bytes) == entry;
        }, iter: 2000);
    }

    [Fact]
    public void Long_name_entry_round_trips()
    {
        Gen.Select(Gen.Byte, Gen.String[Gen.Char, 13, 13], Gen.Byte).Sample((ordinal, characters, checksum) =>
        {
            var entry = new FatLongNameEntry(ordinal, characters, checksum);
            byte[] bytes = new byte[FatLongNameEntry.Size];
            entry.WriteTo(bytes);
            var parsed = FatDirectoryEntry.Parse(bytes);
            return FatLongNameEntry.Parse(bytes) == entry && parsed.IsLongName;
        }, iter: 2000);
    }

    [Fact]
    public void Long_names_split_into_pieces_last_first_terminated_and_padded()
    {
        FatLongNameEntry[] pieces = FatLongNameEntry.Split("golden.rsim-image", 0x5A);
        Assert.Equal(2, pieces.Length);
        Assert.Equal(0x42, pieces[0].Ordinal);
        Assert.Equal(0x01, pieces[1].Ordinal);
        Assert.Equal("golden.rsim-i", pieces[1].Characters);
        Assert.Equal("mage\0\uFFFF\uFFFF\uFFFF\uFFFF\uFFFF\uFFFF\uFFFF\uFFFF", pieces[0].Characters);
        Assert.All(pieces, p => Assert.Equal(0x5A, p.Checksum));
        Assert.Single(FatLongNameEntry.Split(new string('x', 13), 0)); // exactly full: no terminator needed
        Assert.Throws<ArgumentException>(() => FatLongNameEntry.Split(new string('x', 256), 0));
    }

    [Fact]
    public void Short_name_checksum_and_display_follow_fatgen103()
    {
        // The checksum mtools and Linux compute for "GOLDEN~1RSI" (fatgen103 section 7's ChkSum).
        var entry = new FatDirectoryEntry { ShortName = "GOLDEN~1RSI" };
        byte sum = 0;
        foreach (char c in "GOLDEN~1RSI")
        {
            sum = (byte)(((sum & 1) << 7) + (sum >> 1) + c);
        }

        Assert.Equal(sum, entry.ShortNameChecksum());
        Assert.Equal("GOLDEN~1.RSI", entry.DisplayName);
        Assert.Equal("readme.TXT", (entry with { ShortName = "README  TXT", NtFlags = FatDirectoryEntry.LowerCaseBaseFlag }).DisplayName);
        Assert.Equal("README.txt", (entry with { ShortName = "README  TXT", NtFlags = FatDirectoryEntry.LowerCaseExtensionFlag }).DisplayName);
        Assert.Equal("MAKEFILE", (entry with { ShortName = "MAKEFILE   " }).DisplayName);
        Assert.Equal("\u00E5B", (entry with { ShortName = "\u0005B         " }).DisplayName);
    }

    [Fact]
    public void FsInfo_round_trips_and_checks_its_signatures()
    {
        Gen.Select(Gen.UInt, Gen.UInt).Sample((free, next) =>
        {
            byte[] sector = new byte[512];
            new FatFsInfo(free, next).WriteTo(sector);
            return FatFsInfo.Parse(sector) == new FatFsInfo(free, next);
        }, iter: 500);
        Assert.Contains("offset 0", Assert.Throws<FatFormatException>(() => FatFsInfo.Parse(new byte[512])).Message);
    }

    [Fact]
    public void Mbr_round_trips()
    {
        Gen.Select(Gen.UInt, GenMbrEntry.Array[0, 4]).Sample((signature, entries) =>
        {
            // Lay the generated partitions end to end so that they never overlap.
            var placed = new MbrPartitionEntry[4];
            uint next = 1;
            for (int i = 0; i < entries.Length; i++)
            {
                placed[i] = entries[i] with { FirstLba = next + (entries[i].FirstLba % 100) };
                next = placed[i].FirstLba + placed[i].SectorCount;
            }

            var table = new MbrPartitionTable(signature, placed[0], placed[1], placed[2], placed[3]);
            byte[] sector = new byte[512];
            table.WriteTo(sector);
            return MbrPartitionTable.Parse(sector) == table;
        }, iter: 1000);
    }

    [Fact]
    public void Mbr_checks_indicators_extents_overlaps_and_the_disk_size()
    {
        byte[] sector = new byte[512];
        var table = new MbrPartitionTable(7, new MbrPartitionEntry(0x80, 0x0C, 2048, 4096), new MbrPartitionEntry(0, 0x0E, 6144, 10), default, default);
        table.WriteTo(sector);
        Assert.Equal(table, MbrPartitionTable.Parse(sector));
        Assert.Contains("ends at LBA 6154", Assert.Throws<MbrFormatException>(() => table.CheckFits(6150)).Message);
        Assert.Contains("overlap", Assert.Throws<MbrFormatException>(() => Reparse(table with { Entry1 = new MbrPartitionEntry(0, 0x0E, 3000, 10) })).Message);
        Assert.Contains("boot indicator 0x12", Assert.Throws<MbrFormatException>(() => Reparse(table with { Entry0 = table.Entry0 with { BootIndicator = 0x12 } })).Message);
        Assert.Contains("starts at LBA 0", Assert.Throws<MbrFormatException>(() => Reparse(table with { Entry0 = table.Entry0 with { FirstLba = 0 } })).Message);
        Assert.Contains("signature", Assert.Throws<MbrFormatException>(() => MbrPartitionTable.Parse(new byte[512])).Message);
        Assert.True(MbrPartitionTable.IsFatType(0x0C));
        Assert.False(MbrPartitionTable.IsFatType(0x83));
    }

    [Fact]
    public void Random_bytes_as_an_mbr_give_a_typed_exception_or_a_consistent_table()
    {
        Gen.Byte.Array[512].Select(b =>
        {
            b[510] = 0x55;
            b[511] = 0xAA;
            return b;
        }).Sample(sector =>
        {
            if (MbrPartitionTable.TryParse(sector, out MbrPartitionTable table))
            {
                Assert.All(table.Entries.Where(e => e.IsUsed), e => Assert.True(e.FirstLba >= 1 && e.SectorCount >= 1));
            }
        }, iter: 2000);
    }

    private static FatBootSector WithClusters(long clusters, bool fat32)
    {
        int bits = fat32 ? 32 : clusters < 4085 ? 12 : 16;
        long fatSectors = ((clusters + 2) * bits / 8 + 511) / 512 + 1;
        long root = fat32 ? 0 : 32;
        long total = (fat32 ? 32 : 1) + (2 * fatSectors) + root + clusters;
        return new FatBootSector
        {
            Jump = 0x903CEB,
            OemName = "TEST    ",
            BytesPerSector = 512,
            SectorsPerCluster = 1,
            ReservedSectors = (ushort)(fat32 ? 32 : 1),
            NumberOfFats = 2,
            RootEntryCount = (ushort)(fat32 ? 0 : 512),
            TotalSectors16 = 0,
            TotalSectors32 = (uint)total,
            Media = 0xF8,
            FatSize16 = fat32 ? (ushort)0 : (ushort)fatSectors,
            FatSize32 = fat32 ? (uint)fatSectors : 0,
            RootCluster = fat32 ? 2u : 0,
            VolumeLabel = "NO NAME    ",
            FileSystemType = "FAT     ",
        };
    }

    private static FatBootSector Reparse(FatBootSector boot)
    {
        byte[] sector = new byte[512];
        boot.WriteTo(sector);
        return FatBootSector.Parse(sector);
    }

    private static MbrPartitionTable Reparse(MbrPartitionTable table)
    {
        byte[] sector = new byte[512];
        table.WriteTo(sector);
        return MbrPartitionTable.Parse(sector);
    }
}
