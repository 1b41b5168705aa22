using System.Buffers.Binary;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Tests.Fixtures;
using RecoverySim.Testing;

namespace RecoverySim.Recovery.Tests;

/// <summary>Recovery from USB sticks that <see cref="FatFormatter"/> (<c>recoverysim usb create</c>) writes: every FAT type and partition table, and a stick whose FAT #1 is damaged.</summary>
public class UsbStickRecoveryTests
{
    private static readonly byte[] Golden = RecoveryBench.Golden("1.0.0", 1);

    [Theory]
    [InlineData(FatType.Fat12, StickPartitionTable.None)]
    [InlineData(FatType.Fat16, StickPartitionTable.Mbr)]
    [InlineData(FatType.Fat32, StickPartitionTable.Gpt)]
    public void A_bricked_board_recovers_from_a_stick_usb_create_writes(FatType type, StickPartitionTable table)
    {
        (MemoryBlockDevice stick, _) = Stick(type, table);
        RecoveryBench bench = Bricked();
        PowerOnResult result = bench.PowerOn([new UsbImageSource($"usb {type} {table}", stick.Clone)]);
        Assert.Equal(BootOutcome.Recovered, result.Outcome);
        Assert.Equal(["rel-1.0.0", "rel-1.0.0"], bench.SlotReleases());
    }

    [Fact]
    public void A_stick_whose_first_fat_is_damaged_is_read_through_the_second()
    {
        (MemoryBlockDevice stick, FatStickLayout layout) = Stick(FatType.Fat16, StickPartitionTable.Mbr);
        FatBootSector boot = layout.BootSector;

        // Zero the FAT #1 entry of the file's second cluster (the file starts after /recovery's one cluster, at 3).
        long fatByte = (layout.VolumeFirstSector + boot.ReservedSectors) * 512 + (4 * 2);
        byte[] sector = new byte[512];
        stick.Read(fatByte / 512, sector);
        Assert.Equal(5, BinaryPrimitives.ReadUInt16LittleEndian(sector.AsSpan((int)(fatByte % 512))));
        BinaryPrimitives.WriteUInt16LittleEndian(sector.AsSpan((int)(fatByte % 512)), 0);
        stick.Write(fatByte / 512, sector);

        RecoveryBench bench = Bricked();
        PowerOnResult result = bench.PowerOn([new UsbImageSource("usb damaged FAT #1", stick.Clone)]);
        Assert.Equal(BootOutcome.Recovered, result.Outcome);
    }

    private static RecoveryBench Bricked()
    {
        var bench = new RecoveryBench();
        bench.Flash(Golden);
        bench.Brick();
        return bench;
    }

    private static (MemoryBlockDevice Stick, FatStickLayout Layout) Stick(FatType type, StickPartitionTable table)
    {
        FatStickLayout layout = FatFormatter.Plan(Golden.Length, new FatFormatOptions { Type = type, PartitionTable = table, NewGuid = SeededGuids.From(5) });
        var stick = new MemoryBlockDevice(layout.StickSectors);
        FatFormatter.Write(stick, layout, new MemoryStream(Golden));
        return (stick, layout);
    }
}
