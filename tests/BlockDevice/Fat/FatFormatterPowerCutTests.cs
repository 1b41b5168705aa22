using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>
/// The writer's order (docs/FORMAT.md, "What usb create writes"): a power cut at any operation of
/// <see cref="FatFormatter.Write"/> onto a blank stick, with any torn write and any loss of cached
/// writes, leaves a stick that either has no FAT volume or holds the whole file.
/// </summary>
public sealed class FatFormatterPowerCutTests
{
    [Theory]
    [InlineData(FatType.Fat12, StickPartitionTable.None)]
    [InlineData(FatType.Fat16, StickPartitionTable.Mbr)]
    [InlineData(FatType.Fat32, StickPartitionTable.None)]
    [InlineData(FatType.Fat32, StickPartitionTable.Gpt)]
    public void A_cut_at_any_operation_leaves_no_volume_or_the_whole_file(FatType type, StickPartitionTable table)
    {
        byte[] content = FatGen.Content(3000, 8);
        var options = new FatFormatOptions { Type = type, PartitionTable = table, NewGuid = SeededGuids.From(8) };
        FatStickLayout layout = FatFormatter.Plan(content.Length, options);

        var counting = new FaultyBlockDevice(new MemoryBlockDevice(layout.StickSectors), seed: 1, volatileCache: true);
        FatFormatter.Write(counting, layout, new MemoryStream(content));
        long operations = counting.Stats.Writes + counting.Stats.Flushes + counting.Stats.Discards;

        var outcomes = new HashSet<string>();
        foreach (CacheLossMode loss in Enum.GetValues<CacheLossMode>())
        {
            foreach (TornWriteMode torn in Enum.GetValues<TornWriteMode>())
            {
                for (long cut = 0; cut < operations; cut++)
                {
                    var medium = new MemoryBlockDevice(layout.StickSectors);
                    using var stick = new FaultyBlockDevice(medium, seed: cut, volatileCache: true) { CacheLoss = loss, TornWrites = torn, GarbageOnTear = true };
                    stick.CutAfterOperations(cut);
                    Assert.Throws<PowerLossException>(() => FatFormatter.Write(stick, layout, new MemoryStream(content)));
                    stick.PowerOn();
                    outcomes.Add(Outcome(medium, content, $"cut after {cut} of {operations} operations, {loss}, {torn}"));
                }
            }
        }

        Assert.Contains("no volume", outcomes);
        Assert.Contains("whole", outcomes); // a cut at the last flush that keeps the cache
    }

    private static string Outcome(MemoryBlockDevice medium, byte[] content, string what)
    {
        FatVolume volume;
        try
        {
            volume = FatVolume.Mount(medium);
        }
        catch (FatFormatException)
        {
            return "no volume";
        }

        using (volume)
        {
            using Stream stream = volume.OpenRead(FatFormatOptions.DefaultPath);
            Assert.True(content.AsSpan().SequenceEqual(FatGen.ReadAll(stream)), $"{what}: a volume with other bytes");
            return "whole";
        }
    }
}
