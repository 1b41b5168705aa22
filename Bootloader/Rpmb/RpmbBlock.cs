using System.Buffers.Binary;
using System.IO.Hashing;

namespace RecoverySim.Bootloader.Rpmb;

/// <summary>
/// One copy of the simulated replay-protected memory block (docs/FORMAT.md "rpmb"): a write
/// counter, as real RPMB keeps, and the rollback-index counters, sealed by a CRC32.
/// </summary>
/// <param name="WriteCounter">Incremented by every write; orders the two copies.</param>
/// <param name="Indexes">The rollback-index counters.</param>
public readonly record struct RpmbBlock(ulong WriteCounter, RollbackIndexes Indexes)
{
    /// <summary>Bytes of one copy.</summary>
    public const int Size = 512;

    /// <summary>The magic, "RSRP" in ASCII.</summary>
    public const uint Magic = 0x50525352;

    /// <summary>The layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    private const int MagicOffset = 0;
    private const int VersionOffset = 4;
    private const int CountOffset = 6;
    private const int CounterOffset = 8;
    private const int IndexesOffset = 16;
    private const int CrcOffset = Size - 4;

    /// <summary>Parses one copy; false on a bad magic, version, location count or CRC (a torn or damaged copy).</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out RpmbBlock block)
    {
        block = default;
        if (source.Length < Size)
        {
            return false;
        }

        source = source[..Size];
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[CrcOffset..]) != Crc32.HashToUInt32(source[..CrcOffset])
            || BinaryPrimitives.ReadUInt32LittleEndian(source[MagicOffset..]) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(source[VersionOffset..]) != CurrentVersion
            || BinaryPrimitives.ReadUInt16LittleEndian(source[CountOffset..]) != RollbackIndexes.LocationCount)
        {
            return false;
        }

        Span<ulong> values = stackalloc ulong[RollbackIndexes.LocationCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(IndexesOffset + 8 * i)..]);
        }

        block = new RpmbBlock(BinaryPrimitives.ReadUInt64LittleEndian(source[CounterOffset..]), RollbackIndexes.From(values));
        return true;
    }

    /// <summary>Parses one copy or throws <see cref="RpmbException"/>.</summary>
    public static RpmbBlock Parse(ReadOnlySpan<byte> source) =>
        TryParse(source, out RpmbBlock block) ? block
            : throw new RpmbException($"not a valid RPMB copy ({Size} bytes with magic RSRP, version {CurrentVersion}, {RollbackIndexes.LocationCount} locations and a matching CRC32 expected)");

    /// <summary>Writes the copy, with its CRC, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"an RPMB copy needs {Size} bytes, got {destination.Length}", nameof(destination));
        }

        ArgumentNullException.ThrowIfNull(Indexes);
        destination = destination[..Size];
        destination.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination[MagicOffset..], Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[VersionOffset..], CurrentVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[CountOffset..], RollbackIndexes.LocationCount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[CounterOffset..], WriteCounter);
        for (int i = 0; i < RollbackIndexes.LocationCount; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(IndexesOffset + 8 * i)..], Indexes[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcOffset..], Crc32.HashToUInt32(destination[..CrcOffset]));
    }
}
