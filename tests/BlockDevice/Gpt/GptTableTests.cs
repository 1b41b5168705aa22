using System.Buffers.Binary;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Gpt;

namespace RecoverySim.BlockDevice.Tests.Gpt;

/// <summary>Whole tables: create, write, read back; damaged copies fall back and repair; random disks never crash the reader.</summary>
public sealed class GptTableTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(4096)]
    public void Created_tables_round_trip_through_a_disk(int sectorSize)
    {
        Gen.Select(GptGen.Specs, Gen.Long).Sample((specs, seed) =>
        {
            var disk = new MemoryBlockDevice(GptGen.DiskSectors(sectorSize), sectorSize);
            GptTable table = GptTable.Create(sectorSize, disk.SectorCount, specs, GptGen.Guids(seed));
            table.Write(disk);
            GptReadResult result = GptTable.Read(disk);
            Assert.True(result.IsHealthy, string.Join("; ", result.Problems));
            Assert.Equal(GptCopy.Primary, result.UsedCopy);
            Assert.Equal(table, result.Table);

            long alignment = GptTable.AlignmentBytes / sectorSize;
            IReadOnlyList<GptPartitionEntry> partitions = result.Table.Partitions;
            Assert.Equal(specs.Length, partitions.Count);
            for (int i = 0; i < specs.Length; i++)
            {
                Assert.Equal(specs[i].Name, partitions[i].Name);
                Assert.Equal(specs[i].TypeGuid, partitions[i].TypeGuid);
                Assert.Equal(specs[i].Attributes, partitions[i].Attributes);
                Assert.Equal((specs[i].SizeBytes + sectorSize - 1) / sectorSize, partitions[i].SectorCount);
                Assert.Equal(0, partitions[i].FirstLba % alignment);
            }
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void Fill_partition_takes_the_rest_and_partitions_open_as_bounded_views()
    {
        var disk = new MemoryBlockDevice(GptGen.DiskSectors(512));
        GptTable table = GptTable.Create(512, disk.SectorCount, GptGen.BoardLayout(), GptGen.Guids(1));
        table.Write(disk);
        GptPartitionEntry userdata = table.Find("userdata")!.Value;
        Assert.Equal(table.LastUsableLba, userdata.LastLba);
        Assert.Equal(disk.SectorCount - 34, table.LastUsableLba);
        Assert.Equal(34, table.FirstUsableLba);
        PartitionDevice boot = table.OpenPartition(disk, "boot_a");
        Assert.Equal((1 << 20) / 512, boot.SectorCount);
        Assert.Throws<ArgumentException>(() => table.OpenPartition(disk, "nope"));
    }

    [Fact]
    public void Partitions_that_do_not_fit_are_refused_with_sizes_in_the_message()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            GptTable.Create(512, 4096, [new GptPartitionSpec("big", 4 << 20, GptPartitionTypes.LinuxFilesystem)]));
        Assert.Contains("big", error.Message);
        Assert.Contains("4194304", error.Message);
        Assert.Throws<ArgumentException>(() => GptTable.Create(512, 1 << 14, [GptPartitionSpec.Fill("a", GptPartitionTypes.LinuxFilesystem), new("b", 512, GptPartitionTypes.LinuxFilesystem)]));
        Assert.Throws<ArgumentException>(() => GptTable.Create(512, 1 << 14, [new GptPartitionSpec("a", 512, Guid.Empty)]));
    }

    [Theory]
    [InlineData("primary header", GptCopy.Backup, GptDamage.Primary)]
    [InlineData("primary entries", GptCopy.Backup, GptDamage.Primary)]
    [InlineData("backup header", GptCopy.Primary, GptDamage.Backup)]
    [InlineData("backup entries", GptCopy.Primary, GptDamage.Backup)]
    [InlineData("mbr", GptCopy.Primary, GptDamage.ProtectiveMbr)]
    public void Damaged_copy_falls_back_to_the_other_and_is_repaired(string what, GptCopy used, GptDamage damage)
    {
        (MemoryBlockDevice disk, GptTable table) = Board();
        Corrupt(disk, what);
        GptReadResult result = GptTable.Read(disk);
        Assert.Equal(used, result.UsedCopy);
        Assert.Equal(damage, result.Damage);
        Assert.Equal(table, result.Table);
        Assert.NotEmpty(result.Problems);

        result.Repair(disk);
        GptReadResult repaired = GptTable.Read(disk);
        Assert.True(repaired.IsHealthy, string.Join("; ", repaired.Problems));
        Assert.Equal(table, repaired.Table);
    }

    [Fact]
    public void Both_copies_damaged_is_a_format_error_naming_both()
    {
        (MemoryBlockDevice disk, _) = Board();
        Corrupt(disk, "primary header");
        Corrupt(disk, "backup entries");
        var error = Assert.Throws<GptFormatException>(() => GptTable.Read(disk));
        Assert.Contains("primary GPT at LBA 1", error.Message);
        Assert.Contains("backup GPT", error.Message);
        Assert.Contains("PartitionEntryArrayCRC32", error.Message);
    }

    [Fact]
    public void Copies_that_differ_are_reported_and_the_primary_wins_and_repairs_the_backup()
    {
        (MemoryBlockDevice disk, GptTable table) = Board();
        GptTable other = table.WithEntry(0, table.Entries[0] with { Name = "renamed" });
        other.WriteCopy(disk, GptCopy.Backup);
        GptReadResult result = GptTable.Read(disk);
        Assert.Equal(GptDamage.CopiesDiffer, result.Damage);
        Assert.Equal(table, result.Table);
        result.Repair(disk);
        Assert.True(GptTable.Read(disk).IsHealthy);
    }

    [Theory]
    [InlineData("primary header")]
    [InlineData("backup entries")]
    public void A_power_cut_during_a_repair_still_leaves_the_table_readable(string what)
    {
        (MemoryBlockDevice pristine, GptTable table) = Board();
        Corrupt(pristine, what);
        for (int n = 0; n < 3; n++)
        {
            foreach (TornWriteMode mode in Enum.GetValues<TornWriteMode>())
            {
                MemoryBlockDevice disk = pristine.Clone();
                var faulty = new FaultyBlockDevice(disk, n, volatileCache: true) { TornWrites = mode, GarbageOnTear = true, CacheLoss = CacheLossMode.RandomSubset };
                faulty.CutAfterWrites(n);
                try
                {
                    GptTable.Read(faulty).Repair(faulty);
                }
                catch (PowerLossException)
                {
                }

                faulty.PowerOn();
                Assert.Equal(table, GptTable.Read(faulty).Table);
            }
        }
    }

    [Fact]
    public void Random_disks_give_a_format_error_never_another_exception()
    {
        Gen.Long.Sample(seed =>
        {
            byte[] image = new byte[80 * 512];
            new SeededRandom(seed).NextBytes(image);
            var disk = MemoryBlockDevice.FromImage(image);
            Assert.Throws<GptFormatException>(() => GptTable.Read(disk));
        }, iter: 300);
    }

    [Fact]
    public void Mutated_disks_give_a_format_error_or_a_clean_fallback_to_the_same_table()
    {
        (MemoryBlockDevice pristine, GptTable table) = GptGen.Small();
        long last = pristine.SectorCount - 1;

        // Mutations land in the metadata: LBA 0..33 and the last 33 LBAs.
        Gen<(long Offset, byte Xor)> mutation = Gen.Select(Gen.Long[0, 34 * 512 - 1], Gen.Bool, Gen.Byte[1, 255])
            .Select(t => (t.Item2 ? t.Item1 : (last - 33) * 512 + t.Item1, t.Item3));
        mutation.Array[1, 12].Sample(mutations =>
        {
            MemoryBlockDevice disk = pristine.Clone();
            byte[] sector = new byte[512];
            foreach ((long offset, byte xor) in mutations)
            {
                disk.Read(offset / 512, sector);
                sector[offset % 512] ^= xor;
                disk.Write(offset / 512, sector);
            }

            try
            {
                Assert.Equal(table, GptTable.Read(disk).Table);
            }
            catch (GptFormatException)
            {
            }
        }, iter: 1500);
    }

    [Fact]
    public void Headers_with_valid_crcs_but_hostile_fields_give_a_format_error_or_a_consistent_table()
    {
        (MemoryBlockDevice pristine, _) = GptGen.Small();
        long last = pristine.SectorCount - 1;

        // Overwrite a header field (at 4-byte granularity) with a hostile value, fix the CRC so the
        // bounds checks behind it are reached, in one or both copies; entries too, with the array CRC fixed.
        Gen<(bool Backup, int Field, ulong Value, bool EntryMutation, int EntryOffset)> hostile =
            Gen.Select(Gen.Bool, Gen.Int[6, 22], Gen.OneOf(Gen.ULong, Gen.ULong[0, 300], Gen.Const(ulong.MaxValue), Gen.Const((ulong)long.MaxValue)), Gen.Bool, Gen.Int[0, 128 * 4 - 8]);
        hostile.Array[1, 4].Sample(changes =>
        {
            MemoryBlockDevice disk = pristine.Clone();
            foreach (var change in changes)
            {
                long lba = change.Backup ? last : 1;
                byte[] block = new byte[512];
                disk.Read(lba, block);
                if (change.EntryMutation)
                {
                    long entriesLba = BinaryPrimitives.ReadInt64LittleEndian(block.AsSpan(72));
                    if (entriesLba > 0 && entriesLba < disk.SectorCount)
                    {
                        byte[] entries = new byte[512];
                        disk.Read(entriesLba, entries);
                        BinaryPrimitives.WriteUInt64LittleEndian(entries.AsSpan(change.EntryOffset % 504), change.Value);
                        disk.Write(entriesLba, entries);
                        byte[] array = new byte[32 * 512];
                        disk.Read(entriesLba, array[..Math.Min(array.Length, (int)((disk.SectorCount - entriesLba) * 512))]);
                        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(88), System.IO.Hashing.Crc32.HashToUInt32(array.AsSpan(0, 128 * 128)));
                    }
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(change.Field * 4), (uint)change.Value);
                }

                GptGen.FixCrc(block);
                disk.Write(lba, block);
            }

            try
            {
                GptTable read = GptTable.Read(disk).Table;
                Assert.Null(GptTable.Validate(read.SectorSize, read.FirstUsableLba, read.LastUsableLba, read.Entries, read.EntrySize));
                Assert.True(read.LastUsableLba < disk.SectorCount);
            }
            catch (GptFormatException)
            {
            }
        }, iter: 1500);
    }

    // F10: LBA fields are unsigned 64-bit on disk; values of 2^63 and more were printed as negative numbers.
    [Fact]
    public void Unsigned_lba_fields_are_printed_unsigned()
    {
        var header = new GptHeader(GptHeader.Revision1, 92, 1, 100, 34, 60, Guid.Empty, 2, 128, 128, 0);
        byte[] block = new byte[512];
        header.WriteTo(block);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(24), 1UL << 63);
        GptGen.FixCrc(block);
        var error = Assert.Throws<GptFormatException>(() => GptHeader.Parse(block));
        Assert.Contains("MyLBA 9223372036854775808", error.Message);
        Assert.DoesNotContain("-9223372036854775808", error.Message);

        (MemoryBlockDevice disk, _) = GptGen.Small();
        long last = disk.SectorCount - 1;
        foreach (long headerLba in new[] { 1L, last })
        {
            byte[] h = new byte[512];
            disk.Read(headerLba, h);
            long entriesLba = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(72));
            byte[] array = new byte[32 * 512];
            disk.Read(entriesLba, array);
            BinaryPrimitives.WriteUInt64LittleEndian(array.AsSpan(40), ulong.MaxValue); // entry 0's LastLBA
            disk.Write(entriesLba, array);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(88), System.IO.Hashing.Crc32.HashToUInt32(array.AsSpan(0, 128 * 128)));
            GptGen.FixCrc(h);
            disk.Write(headerLba, h);
        }

        error = Assert.Throws<GptFormatException>(() => GptTable.Read(disk));
        Assert.Contains("18446744073709551615", error.Message);
        Assert.DoesNotContain("-1]", error.Message);
    }

    private static (MemoryBlockDevice Disk, GptTable Table) Board()
    {
        var disk = new MemoryBlockDevice(GptGen.DiskSectors(512));
        GptTable table = GptTable.Create(512, disk.SectorCount, GptGen.BoardLayout(), GptGen.Guids(7));
        table.Write(disk);
        return (disk, table);
    }

    private static void Corrupt(MemoryBlockDevice disk, string what)
    {
        long lba = what switch
        {
            "primary header" => 1,
            "primary entries" => 2,
            "backup header" => disk.SectorCount - 1,
            "backup entries" => disk.SectorCount - 33,
            "mbr" => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(what), what),
        };
        byte[] block = new byte[512];
        disk.Read(lba, block);
        block[what == "mbr" ? 510 : 20] ^= 0x40; // the MBR signature, a header's reserved field, or an entry's bytes
        disk.Write(lba, block);
    }
}
