using RecoverySim.BlockDevice.Fat;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>Mutation fuzzing of the FAT reader (issue 14 part 4): boot sector, FAT, directories, long names, on small sticks.</summary>
public class FatFuzzTests
{
    /// <summary>At most this many sectors from the volume's start are mutated: the boot sector, both FATs and the root directory of a small volume.</summary>
    private const int MaxMetadataSectors = 96;

    private static readonly byte[] Content = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];

    private static (MemoryBlockDevice Stick, long VolumeFirstSector) Stick(FatType type, StickPartitionTable table)
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
        (MemoryBlockDevice pristine, long first) = Stick(type, table);
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
}
