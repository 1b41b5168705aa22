using System.Buffers.Binary;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Tests.Storage;

/// <summary>
/// A record of the smallest kind <see cref="DualCopyStore{TRecord}"/> keeps, to test the store
/// apart from the boot control block and RPMB: the envelope plus one value.
/// </summary>
internal readonly record struct CounterRecord(ulong Sequence, ulong Value) : IDualCopyRecord<CounterRecord>
{
    public const int Size = 512;
    public const uint Magic = 0x54534554; // "TEST"
    public const ushort Version = 1;
    private const int ValueOffset = RecordEnvelope.HeaderSize;

    static int IDualCopyRecord<CounterRecord>.Size => Size;

    public static bool TryParse(ReadOnlySpan<byte> source, out CounterRecord record)
    {
        record = default;
        if (!RecordEnvelope.TryOpen(source, Size, Magic, Version, Size, out ulong sequence))
        {
            return false;
        }

        record = new CounterRecord(sequence, BinaryPrimitives.ReadUInt64LittleEndian(source[ValueOffset..]));
        return true;
    }

    public CounterRecord WithSequence(ulong sequence) => this with { Sequence = sequence };

    public void WriteTo(Span<byte> destination)
    {
        Span<byte> record = RecordEnvelope.Fit(destination, Size, "a counter record");
        RecordEnvelope.WriteHeader(record, Magic, Version, Size, Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(record[ValueOffset..], Value);
        RecordEnvelope.Seal(record);
    }
}
