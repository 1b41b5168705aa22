using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Tests.Control;

public class BootControlStoreTests
{
    private static MemoryBlockDevice NewMisc() => new(MiscLayout.MinimumSize / 512);

    [Fact]
    public void EmptyMiscHasNoValidCopy()
    {
        using var misc = NewMisc();
        BootControlRead read = new BootControlStore(misc).Read();
        Assert.Null(read.Block);
        Assert.False(read.Copy0Valid || read.Copy1Valid);
    }

    [Fact]
    public void WritesAlternateCopiesAndTheNewestWins()
    {
        using var misc = NewMisc();
        var store = new BootControlStore(misc);
        store.Initialize(BootControlBlock.Factory(3));
        BootControlBlock first = store.Write(store.Current with { BootCount = 1 });
        BootControlBlock second = store.Write(store.Current with { BootCount = 2 });
        Assert.Equal(first.Sequence + 1, second.Sequence);

        byte[] copy0 = new byte[512], copy1 = new byte[512];
        misc.Read(0, copy0);
        misc.Read(MiscLayout.BootControlCopy1Offset / 512, copy1);
        var seqs = new[] { BootControlBlock.Parse(copy0).Sequence, BootControlBlock.Parse(copy1).Sequence };
        Assert.Contains(first.Sequence, seqs);
        Assert.Contains(second.Sequence, seqs);

        BootControlRead read = new BootControlStore(misc).Read();
        Assert.Equal(second, read.Block);
        Assert.Null(read.RepairedCopy);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ADamagedCopyIsRewrittenFromTheOther(int damaged)
    {
        using var misc = NewMisc();
        var store = new BootControlStore(misc);
        BootControlBlock stored = store.Initialize(BootControlBlock.Factory(3) with { BootCount = 5 });
        long sector = (damaged == 0 ? MiscLayout.BootControlCopy0Offset : MiscLayout.BootControlCopy1Offset) / 512;
        byte[] garbage = new byte[512];
        new Random(damaged).NextBytes(garbage);
        misc.Write(sector, garbage);

        BootControlRead read = new BootControlStore(misc).Read();
        Assert.Equal(stored, read.Block);
        Assert.Equal(damaged, read.RepairedCopy);

        BootControlRead again = new BootControlStore(misc).Read();
        Assert.True(again.Copy0Valid && again.Copy1Valid);
        Assert.Null(again.RepairedCopy);
        Assert.Equal(stored, again.Block);
    }

    [Fact]
    public void WorksOn4KiBSectors()
    {
        using var misc = new MemoryBlockDevice(MiscLayout.MinimumSize / 4096, 4096);
        var store = new BootControlStore(misc);
        store.Initialize(BootControlBlock.Factory(3));
        BootControlBlock written = store.Write(store.Current with { BootCount = 9 });
        Assert.Equal(written, new BootControlStore(misc).Read().Block);
    }

    [Fact]
    public void RefusesAMiscTooSmall()
    {
        using var misc = new MemoryBlockDevice(8);
        Assert.Throws<BootControlException>(() => new BootControlStore(misc));
    }

    [Fact]
    public void SequencesOfUpdatesReadBackAsTheLastOne() =>
        Gen.Select(BootControlBlockTests.GenBlock.List[1, 12], Gen.Int[0, 1]).Sample((updates, reread) =>
        {
            using var misc = NewMisc();
            var store = new BootControlStore(misc);
            store.Initialize(BootControlBlock.Factory(3));
            BootControlBlock last = default;
            foreach (BootControlBlock update in updates)
            {
                last = store.Write(update);
                if (reread == 1)
                {
                    store = new BootControlStore(misc);
                    store.Read();
                }
            }

            return new BootControlStore(misc).Read().Block == last;
        }, iter: 200);
}
