using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Tests.Storage;

public class DualCopyStoreTests
{
    private const long Copy1Offset = 4096;
    private const long DeviceBytes = 8192;

    private static readonly Gen<int> GenSectorSize = Gen.OneOf(Gen.Const(512), Gen.Const(4096));

    private static readonly Gen<(TornWriteMode, bool, bool, CacheLossMode, long)> GenFaults =
        Gen.Select(Gen.Enum<TornWriteMode>(), Gen.Bool, Gen.Bool, Gen.Enum<CacheLossMode>(), Gen.Long);

    private static DualCopyStore<CounterRecord> Open(IBlockDevice device) => new(device, 0, Copy1Offset);

    private static MemoryBlockDevice NewDevice(int sectorSize) => new(DeviceBytes / sectorSize, sectorSize);

    /// <summary>The model of the store: the value of the last update that returned.</summary>
    private sealed class Model
    {
        public ulong Value;
    }

    private sealed class Actual(MemoryBlockDevice device)
    {
        public MemoryBlockDevice Device { get; } = device;

        public DualCopyStore<CounterRecord> Store { get; set; } = Open(device);
    }

    [Fact]
    public void UpdatesAndReopensMatchAModel() =>
        GenSectorSize.Select(sectorSize =>
        {
            var actual = new Actual(NewDevice(sectorSize));
            actual.Store.Format(new CounterRecord(1, 0));
            return (actual, new Model());
        }).SampleModelBased(
        [
            Gen.ULong.Operation<Actual, Model>(v => $"update {v}",
                (a, v) => a.Store.Update(new CounterRecord(0, v)), (m, v) => m.Value = v),
            Gen.Const(0).Operation<Actual, Model>(_ => "reopen and read",
                (a, _) =>
                {
                    a.Store = Open(a.Device);
                    Assert.Null(a.Store.Read().RepairedCopy);
                }, (_, _) => { }),
            Gen.Const(0).Operation<Actual, Model>(_ => "peek",
                (a, _) => Assert.Equal(2, a.Store.Peek().ValidCopies), (_, _) => { }),
        ],
        (a, m) => a.Store.Current?.Value == m.Value && a.Store.Peek().Newest?.Value == m.Value
            && Open(a.Device).Read().Newest?.Value == m.Value,
        iter: 200);

    /// <summary>
    /// A cut at any write or flush of a run of updates (and of the reads that repair in between),
    /// under every fault mode: after power returns a read gives the last update that returned or
    /// the one in flight, never anything else, and leaves both copies valid for the next update.
    /// </summary>
    [Fact]
    public void ACutAtAnyOperationLeavesTheOldOrTheNewRecord() =>
        Gen.Select(GenSectorSize, Gen.ULong.List[1, 6], Gen.Bool, Gen.Int[0, 30], GenFaults)
        .Sample((sectorSize, updates, reopen, cutAt, faults) =>
        {
            (TornWriteMode torn, bool garbage, bool volatileCache, CacheLossMode cacheLoss, long seed) = faults;
            using var disk = new FaultyBlockDevice(NewDevice(sectorSize), seed, volatileCache)
            {
                TornWrites = torn,
                GarbageOnTear = garbage,
                CacheLoss = cacheLoss,
            };
            var store = Open(disk);
            store.Format(new CounterRecord(1, 0));
            ulong committed = 0;
            ulong inFlight = 0;
            disk.CutAfterOperations(cutAt);
            try
            {
                foreach (ulong value in updates)
                {
                    inFlight = value;
                    store.Update(new CounterRecord(0, value));
                    committed = value;
                    if (reopen)
                    {
                        store = Open(disk);
                        store.Read();
                    }
                }
            }
            catch (PowerLossException)
            {
            }

            disk.PowerOn();
            DualCopyRead<CounterRecord> read = Open(disk).Read();
            bool oldOrNew = read.Newest is { } found && (found.Value == committed || found.Value == inFlight);
            DualCopyRead<CounterRecord> after = Open(disk).Peek();
            return oldOrNew && after.ValidCopies == 2 && after.Newest == read.Newest;
        }, iter: 2000);

    [Fact]
    public void EachCopyFillsItsSectorsWithTheRecordThenZeros()
    {
        using var device = NewDevice(4096);
        Open(device).Format(new CounterRecord(7, 42));
        byte[] bytes = new byte[DeviceBytes];
        device.Read(0, bytes);
        byte[] expected = new byte[CounterRecord.Size];
        new CounterRecord(7, 42).WriteTo(expected);
        Assert.Equal(expected, bytes[..CounterRecord.Size]);
        Assert.Equal(expected, bytes[(int)Copy1Offset..((int)Copy1Offset + CounterRecord.Size)]);
        Assert.All(bytes[CounterRecord.Size..(int)Copy1Offset], b => Assert.Equal(0, b));
        Assert.All(bytes[((int)Copy1Offset + CounterRecord.Size)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void PeekNeverWritesAndReadRepairsTheDamagedCopy()
    {
        using var device = NewDevice(512);
        var store = Open(device);
        store.Format(new CounterRecord(1, 5));
        CounterRecord stored = store.Update(new CounterRecord(0, 6));
        Assert.Equal(2UL, stored.Sequence);
        device.Write(0, new byte[512]);
        byte[] before = new byte[DeviceBytes];
        device.Read(0, before);

        DualCopyRead<CounterRecord> peek = Open(device).Peek();
        byte[] afterPeek = new byte[DeviceBytes];
        device.Read(0, afterPeek);
        Assert.Equal(before, afterPeek);
        Assert.Equal(new DualCopyRead<CounterRecord>(stored, false, true, null), peek);

        DualCopyRead<CounterRecord> read = Open(device).Read();
        Assert.Equal(new DualCopyRead<CounterRecord>(stored, false, true, 0), read);
        Assert.Equal(new DualCopyRead<CounterRecord>(stored, true, true, null), Open(device).Read());
    }

    [Fact]
    public void NoValidCopyLeavesNoCurrentStateAndRefusesUpdates()
    {
        using var device = NewDevice(512);
        var store = Open(device);
        store.Format(new CounterRecord(1, 5));
        device.Write(0, new byte[DeviceBytes]);
        Assert.Equal(new DualCopyRead<CounterRecord>(null, false, false, null), store.Read());
        Assert.Null(store.Current);
        Assert.Throws<InvalidOperationException>(() => store.Update(new CounterRecord(0, 1)));
    }

    [Theory]
    [InlineData(0, 256)]
    [InlineData(0, 0)]
    [InlineData(0, 8192)]
    [InlineData(-512, 4096)]
    public void RefusesCopiesThatAreUnalignedOverlapOrDoNotFit(long copy0, long copy1)
    {
        using var device = NewDevice(512);
        Assert.Throws<ArgumentException>(() => new DualCopyStore<CounterRecord>(device, copy0, copy1));
    }
}
