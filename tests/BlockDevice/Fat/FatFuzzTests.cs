using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>
/// Valid sticks with random bytes changed in their partition table, boot sector, FATs and
/// directories: mounting and reading the golden image gives a <see cref="FatFormatException"/>,
/// a <see cref="FatFileNotFoundException"/> (or a null from Find), or the file's bytes, never another
/// exception and never a hang; and mutation fuzzing with the shared harness (issue 14 part 4) on small sticks.
/// </summary>
public sealed class FatFuzzTests
{
    private const string Path = "/recovery/deep/golden.rsim";

    private static readonly Gen<(FatType Type, StickPartitionTable Table, int Size, int Seed)> GenStick =
        Gen.Select(FatGen.Type, FatGen.Table, Gen.Int[0, 40_000], Gen.Int);

    /// <summary>At most this many sectors from the volume's start are mutated: the boot sector, both FATs and the root directory of a small volume.</summary>
    private const int MaxMetadataSectors = 96;

    private static readonly byte[] Content = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];

    private static (MemoryBlockDevice Stick, long VolumeFirstSector) SmallStick(FatType type, StickPartitionTable table)
    {
        FatStickLayout layout = FatFormatter.Plan(Content.Length, new FatFormatOptions { Type = type, PartitionTable = table });
        var stick = new MemoryBlockDevice(layout.StickSectors);
        FatFormatter.Write(stick, layout, new MemoryStream(Content));
        return (stick, layout.VolumeFirstSector);
    }

    [Theory]
    [InlineData(FatType.Fat12, StickPartitionTable.None, 1441)]
    [InlineData(FatType.Fat16, StickPartitionTable.Mbr, 1442)]
    public void Mount_and_read_give_a_block_device_exception_or_the_file(FatType type, StickPartitionTable table, int seed)
    {
        (MemoryBlockDevice pristine, long first) = SmallStick(type, table);
        int metadataSectors = (int)Math.Min(MaxMetadataSectors, pristine.SectorCount - first);
        byte[] metadata = new byte[metadataSectors * 512];
        pristine.Read(first, metadata);
        byte[] mbr = new byte[512];
        pristine.Read(0, mbr);
        Fuzz.Mutated(metadata, mbr).Sample(bytes =>
        {
            MemoryBlockDevice stick = pristine.Clone();
            byte[] sectors = new byte[bytes.Length <= 512 ? 512 : metadata.Length];
            bytes.AsSpan(0, Math.Min(bytes.Length, sectors.Length)).CopyTo(sectors);
            stick.Write(sectors.Length == 512 ? 0 : first, sectors);
            try
            {
                using FatVolume volume = FatVolume.Mount(stick);
                using Stream file = volume.OpenRead(FatFormatOptions.DefaultPath);
                byte[] read = new byte[Content.Length + 1];
                int n = file.ReadAtLeast(read, read.Length, throwOnEndOfStream: false);
                Assert.InRange(n, 0, file.Length);
            }
            catch (BlockDeviceException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
        }, seed: Fuzz.Seed(seed), iter: 600);
    }

    [Fact]
    public async Task Mutated_sticks_give_a_typed_exception_or_the_right_bytes()
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        Task run = Task.Run(() => Gen.Select(GenStick, Gen.Int[1, 8], Gen.Int).Sample((stick, flips, mutationSeed) =>
        {
            byte[] content = FatGen.Content(stick.Size, stick.Seed);
            (MemoryBlockDevice device, FatStickLayout layout) = FatGen.Stick(content, new FatFormatOptions
            {
                Type = stick.Type,
                PartitionTable = stick.Table,
                Path = Path,
                NewGuid = SeededGuids.From(stick.Seed),
            });
            Mutate(device, layout, flips, mutationSeed);
            string outcome = ReadBack(device, content);
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }, iter: 400));

        await run.WaitAsync(TimeSpan.FromMinutes(5)); // a bound against a hang (TimeoutException), not a timing assertion
        // The mutations must hit something: some sticks still read, some are refused.
        Assert.True(outcomes.GetValueOrDefault("read") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(FatFormatException)) > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public void Read_errors_give_a_medium_error_or_the_right_bytes_never_other_bytes()
    {
        Gen.Select(GenStick, Gen.Double[0, 0.2], Gen.Long).Sample((stick, rate, seed) =>
        {
            byte[] content = FatGen.Content(stick.Size, stick.Seed);
            (MemoryBlockDevice device, _) = FatGen.Stick(content, new FatFormatOptions { Type = stick.Type, PartitionTable = stick.Table, Path = Path });
            using var faulty = new FaultyBlockDevice(device, seed, leaveOpen: true) { ReadErrorRate = rate };
            try
            {
                using FatVolume volume = FatVolume.Mount(faulty);
                using Stream stream = volume.OpenRead(Path);
                Assert.Equal(content, FatGen.ReadAll(stream, 4096));
            }
            catch (MediumException)
            {
            }
            catch (FatFormatException e)
            {
                // Only an entry unreadable in both FAT copies turns a read error into a format error.
                Assert.IsType<MediumException>(e.InnerException);
                Assert.Contains("cannot be read in any copy", e.Message);
            }
        }, iter: 300);
    }

    /// <summary>Mounts, finds and reads the file; returns the outcome, throws (failing the property) on a wrong byte or an untyped exception.</summary>
    private static string ReadBack(MemoryBlockDevice device, byte[] content)
    {
        try
        {
            using FatVolume volume = FatVolume.Mount(device);
            FatFileInfo? info = volume.Find(Path);
            if (info is null)
            {
                return "absent";
            }

            using Stream stream = volume.OpenRead(info);
            Assert.Equal(info.Size, stream.Length);
            byte[] read = FatGen.ReadAll(stream, 7919);
            Assert.Equal(info.Size, read.Length);

            // A flipped size field changes how much is read; every byte the file had must be right.
            int common = Math.Min(read.Length, content.Length);
            Assert.True(read.AsSpan(0, common).SequenceEqual(content.AsSpan(0, common)), "wrong bytes read without an error");
            if (read.Length != content.Length)
            {
                return "resized";
            }

            return "read";
        }
        catch (FatFormatException)
        {
            return nameof(FatFormatException);
        }
        catch (FatFileNotFoundException)
        {
            return nameof(FatFileNotFoundException);
        }
    }

    /// <summary>XORs <paramref name="flips"/> random bytes of the structures: sector 0, the boot sector's BPB, the used part of both FATs, the directories.</summary>
    private static void Mutate(MemoryBlockDevice device, FatStickLayout layout, int flips, int seed)
    {
        FatBootSector boot = layout.BootSector;
        long first = layout.VolumeFirstSector;
        var ranges = new List<(long Byte, int Length)> { (0, 512), (first * 512, 90) };
        long fatBytes = ((2 + layout.UsedClusters) * FatBootSector.EntryBits(boot.Type) / 8) + 16;
        for (int copy = 0; copy < boot.NumberOfFats; copy++)
        {
            ranges.Add(((first + boot.ReservedSectors + (copy * boot.FatSectors)) * 512, (int)fatBytes));
        }

        ranges.Add(boot.IsFat32Layout ? (FatGen.ClusterSector(first, boot, 2) * 512, 512) : ((first + boot.RootDirectoryFirstSector) * 512, 512));
        for (int i = 0; i < layout.DirectoryClusters.Count; i++)
        {
            ranges.Add((FatGen.ClusterSector(first, boot, (uint)(2 + i)) * 512, 512));
        }

        var random = new Random(seed);
        byte[] sector = new byte[512];
        for (int i = 0; i < flips; i++)
        {
            (long start, int length) = ranges[random.Next(ranges.Count)];
            long at = start + random.Next(length);
            device.Read(at / 512, sector);
            sector[at % 512] ^= (byte)random.Next(1, 256);
            device.Write(at / 512, sector);
        }
    }
}
