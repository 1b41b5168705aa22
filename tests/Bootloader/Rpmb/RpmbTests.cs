using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Rpmb;

namespace RecoverySim.Bootloader.Tests.Rpmb;

public class RpmbTests
{
    private static readonly Gen<RollbackIndexes> GenIndexes =
        Gen.ULong.Array[RollbackIndexes.LocationCount].Select(values => RollbackIndexes.From(values));

    private static readonly Gen<RpmbBlock> GenBlock =
        Gen.Select(Gen.ULong, GenIndexes).Select((counter, indexes) => new RpmbBlock(counter, indexes));

    [Fact]
    public void RoundTrips() => GenBlock.Sample(block =>
    {
        byte[] bytes = new byte[RpmbBlock.Size];
        block.WriteTo(bytes);
        return RpmbBlock.TryParse(bytes, out RpmbBlock parsed) && parsed == block;
    }, iter: 1000);

    [Fact]
    public void AnySingleByteChangeIsDetected() =>
        Gen.Select(GenBlock, Gen.Int[0, RpmbBlock.Size - 1], Gen.Byte[1, 255]).Sample((block, offset, xor) =>
        {
            byte[] bytes = new byte[RpmbBlock.Size];
            block.WriteTo(bytes);
            bytes[offset] ^= xor;
            return !RpmbBlock.TryParse(bytes, out _);
        }, iter: 1000);

    [Fact]
    public void RandomBytesNeverCrashTheParser() =>
        Gen.Byte.Array[0, 700].Sample(bytes =>
        {
            if (!RpmbBlock.TryParse(bytes, out _))
            {
                Assert.Throws<RpmbException>(() => RpmbBlock.Parse(bytes));
            }

            return true;
        }, iter: 1000);

    [Fact]
    public void CountersOnlyGoUp() =>
        Gen.Select(Gen.Int[0, 31], Gen.ULong[0, 100]).List[1, 30].Sample(raises =>
        {
            using var device = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
            var store = new RpmbStore(device);
            store.Format();
            var expected = new ulong[RollbackIndexes.LocationCount];
            foreach ((int location, ulong value) in raises)
            {
                store.Raise([(location, value)]);
                expected[location] = Math.Max(expected[location], value);
            }

            return new RpmbStore(device).Read().SequenceEqual(expected);
        }, iter: 200);

    [Fact]
    public void NoWriteWhenNothingRises()
    {
        using var device = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        var store = new RpmbStore(device);
        store.Format();
        store.Raise([(0, 5)]);
        byte[] before = new byte[RpmbStore.DeviceSize];
        device.Read(0, before);
        store.Raise([(0, 4), (1, 0)]);
        byte[] after = new byte[RpmbStore.DeviceSize];
        device.Read(0, after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void ADamagedCopyIsRepairedAndBothDamagedIsAnError()
    {
        using var device = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        var store = new RpmbStore(device);
        store.Format();
        store.Raise([(2, 7)]);
        device.Write(0, new byte[512]);
        var reread = new RpmbStore(device);
        Assert.Equal(7UL, reread.Read()[2]);
        Assert.True(reread.RepairedOnRead);
        var third = new RpmbStore(device);
        Assert.Equal(7UL, third.Read()[2]);
        Assert.False(third.RepairedOnRead);

        device.Write(0, new byte[512]);
        device.Write(RpmbStore.Copy1Offset / 512, new byte[512]);
        Assert.Throws<RpmbException>(() => new RpmbStore(device).Read());
    }
}
