using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Tests.Control;

public class BootControlBlockTests
{
    internal static readonly Gen<SlotState> GenSlot =
        from priority in Gen.Byte[0, SlotState.MaxPriority]
        from tries in Gen.Byte[0, SlotState.MaxTries]
        from successful in Gen.Bool
        from reason in Gen.Enum<UnbootableReason>()
        select new SlotState(priority, tries, successful, reason);

    internal static readonly Gen<BootControlBlock> GenBlock =
        from sequence in Gen.ULong
        from a in GenSlot
        from b in GenSlot
        from count in Gen.UInt
        from reason in Gen.Enum<RecoveryReason>()
        from source in Gen.Enum<RecoverySource>()
        select new BootControlBlock(sequence, a, b, count, new RecoveryRequest(reason, source));

    [Fact]
    public void RoundTrips() => GenBlock.Sample(block =>
    {
        byte[] bytes = new byte[BootControlBlock.Size];
        block.WriteTo(bytes);
        return BootControlBlock.TryParse(bytes, out BootControlBlock parsed) && parsed == block && BootControlBlock.Parse(bytes) == block;
    }, iter: 2000);

    [Fact]
    public void AnySingleByteChangeIsDetected() =>
        Gen.Select(GenBlock, Gen.Int[0, BootControlBlock.Size - 1], Gen.Byte[1, 255]).Sample((block, offset, xor) =>
        {
            byte[] bytes = new byte[BootControlBlock.Size];
            block.WriteTo(bytes);
            bytes[offset] ^= xor;
            return !BootControlBlock.TryParse(bytes, out _);
        }, iter: 2000);

    [Fact]
    public void RandomBytesNeverCrashTheParser() =>
        Gen.Byte.Array[0, 1024].Sample(bytes =>
        {
            if (BootControlBlock.TryParse(bytes, out BootControlBlock block))
            {
                byte[] again = new byte[BootControlBlock.Size];
                block.WriteTo(again);
                return again.AsSpan().SequenceEqual(bytes.AsSpan(0, BootControlBlock.Size));
            }

            Assert.Throws<BootControlException>(() => BootControlBlock.Parse(bytes));
            return true;
        }, iter: 2000);

    [Fact]
    public void OutOfRangeFieldsWithAGoodCrcAreRejected()
    {
        byte[] bytes = new byte[BootControlBlock.Size];
        BootControlBlock.Factory(3).WriteTo(bytes);
        bytes[16] = 16; // slot a priority above 15
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(508), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, 508)));
        Assert.False(BootControlBlock.TryParse(bytes, out _));
    }

    [Fact]
    public void FactoryStateIsLibavbDefault()
    {
        BootControlBlock block = BootControlBlock.Factory(7);
        Assert.Equal(new SlotState(15, 7, false, UnbootableReason.None), block.SlotA);
        Assert.Equal(new SlotState(14, 7, false, UnbootableReason.None), block.SlotB);
        Assert.Equal(Slot.A, AbRules.Choose(block, [Slot.A, Slot.B]));
    }
}
