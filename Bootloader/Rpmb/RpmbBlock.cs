using System.Buffers.Binary;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Rpmb;

/// <summary>
/// One copy of the simulated replay-protected memory block (docs/FORMAT.md "rpmb"): a write
/// counter, as real RPMB keeps, and the rollback-index counters, sealed by a CRC32.
/// </summary>
/// <param name="WriteCounter">Incremented by every write; orders the two copies.</param>
/// <param name="Indexes">The rollback-index counters.</param>
public readonly record struct RpmbBlock(ulong WriteCounter, RollbackIndexes Indexes)
    : IDualCopyRecord<RpmbBlock>
{
    /// <summary>Bytes of one copy.</summary>
    public const int Size = 512;

    /// <summary>The magic, "RSRP" in ASCII.</summary>
    public const uint Magic = 0x50525352;

    /// <summary>The layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    // Magic, version, location count (the envelope's shape field) and write counter: RecordEnvelope's header.
    private const int IndexesOffset = RecordEnvelope.HeaderSize;

    static int IDualCopyRecord<RpmbBlock>.Size => Size;

    ulong IDualCopyRecord<RpmbBlock>.Sequence => WriteCounter;

    /// <summary>Parses one copy; false on a bad magic, version, location count or CRC (a torn or damaged copy).</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out RpmbBlock block)
    {
        block = default;
        if (!RecordEnvelope.TryOpen(source, Size, Magic, CurrentVersion, RollbackIndexes.LocationCount, out ulong writeCounter))
        {
            return false;
        }

        Span<ulong> values = stackalloc ulong[RollbackIndexes.LocationCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(IndexesOffset + 8 * i)..]);
        }

        block = new RpmbBlock(writeCounter, RollbackIndexes.From(values));
        return true;
    }

    /// <summary>Parses one copy or throws <see cref="RpmbException"/>.</summary>
    public static RpmbBlock Parse(ReadOnlySpan<byte> source) =>
        TryParse(source, out RpmbBlock block) ? block
            : throw new RpmbException($"not a valid RPMB copy ({Size} bytes with magic RSRP, version {CurrentVersion}, {RollbackIndexes.LocationCount} locations and a matching CRC32 expected)");

    /// <summary>Writes the copy, with its CRC, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        Span<byte> record = RecordEnvelope.Fit(destination, Size, "an RPMB copy");
        ArgumentNullException.ThrowIfNull(Indexes);
        RecordEnvelope.WriteHeader(record, Magic, CurrentVersion, RollbackIndexes.LocationCount, WriteCounter);
        for (int i = 0; i < RollbackIndexes.LocationCount; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record[(IndexesOffset + 8 * i)..], Indexes[i]);
        }

        RecordEnvelope.Seal(record);
    }

    RpmbBlock IDualCopyRecord<RpmbBlock>.WithSequence(ulong sequence) => this with { WriteCounter = sequence };
}
