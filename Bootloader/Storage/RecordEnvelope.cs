using System.Buffers.Binary;
using System.IO.Hashing;

namespace RecoverySim.Bootloader.Storage;

/// <summary>
/// The envelope shared by the records kept in two copies (docs/FORMAT.md "boot-control-block" and
/// "rpmb"): a 16-byte little-endian header (magic, version, a shape field, sequence) at the start,
/// the record's own fields after it, and a CRC32 over everything before it in the last 4 bytes.
/// </summary>
/// <remarks>
/// The shape field at offset 6 is whatever tells the reader the record's layout: the record size
/// for the boot control block, the location count for RPMB.
/// </remarks>
public static class RecordEnvelope
{
    /// <summary>Bytes of the header; the record's own fields start here.</summary>
    public const int HeaderSize = 16;

    /// <summary>Bytes of the CRC32 at the end of the record.</summary>
    public const int CrcSize = 4;

    private const int MagicOffset = 0;
    private const int VersionOffset = 4;
    private const int ShapeOffset = 6;
    private const int SequenceOffset = 8;

    /// <summary>
    /// Checks the first <paramref name="size"/> bytes of <paramref name="source"/>: CRC32, magic,
    /// version and shape. False on any mismatch or when <paramref name="source"/> is shorter
    /// (a torn or damaged copy); otherwise <paramref name="sequence"/> is the stored sequence.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> source, int size, uint magic, ushort version, ushort shape, out ulong sequence)
    {
        sequence = 0;
        if (size < HeaderSize + CrcSize || source.Length < size)
        {
            return false;
        }

        source = source[..size];
        int crcOffset = size - CrcSize;
        // The CRC first: it is what tells a torn write from a stored state.
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[crcOffset..]) != Crc32.HashToUInt32(source[..crcOffset])
            || BinaryPrimitives.ReadUInt32LittleEndian(source[MagicOffset..]) != magic
            || BinaryPrimitives.ReadUInt16LittleEndian(source[VersionOffset..]) != version
            || BinaryPrimitives.ReadUInt16LittleEndian(source[ShapeOffset..]) != shape)
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[SequenceOffset..]);
        return true;
    }

    /// <summary>
    /// The first <paramref name="size"/> bytes of <paramref name="destination"/>, or
    /// <see cref="ArgumentException"/> naming <paramref name="what"/> ("a boot control block")
    /// when it is shorter. Nothing is written.
    /// </summary>
    public static Span<byte> Fit(Span<byte> destination, int size, string what)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"{what} needs {size} bytes, got {destination.Length}", nameof(destination));
        }

        return destination[..size];
    }

    /// <summary>Zeroes <paramref name="record"/> (reserved bytes are written as zero) and writes the header.</summary>
    public static void WriteHeader(Span<byte> record, uint magic, ushort version, ushort shape, ulong sequence)
    {
        record.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record[MagicOffset..], magic);
        BinaryPrimitives.WriteUInt16LittleEndian(record[VersionOffset..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(record[ShapeOffset..], shape);
        BinaryPrimitives.WriteUInt64LittleEndian(record[SequenceOffset..], sequence);
    }

    /// <summary>Writes the CRC32 of everything before the last <see cref="CrcSize"/> bytes of <paramref name="record"/> into them.</summary>
    public static void Seal(Span<byte> record)
    {
        int crcOffset = record.Length - CrcSize;
        BinaryPrimitives.WriteUInt32LittleEndian(record[crcOffset..], Crc32.HashToUInt32(record[..crcOffset]));
    }
}
