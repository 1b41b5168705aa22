using System.Buffers.Binary;
using System.IO.Hashing;

namespace RecoverySim.BlockDevice.Gpt;

/// <summary>
/// A GPT header (UEFI 2.10 §5.3.2, Table 5.5), as stored in LBA 1 (primary) or the last LBA
/// (backup). The header CRC is checked by <see cref="Parse"/> and computed by <see cref="WriteTo"/>,
/// so it is not a field. Bytes past the 92 defined ones (up to <see cref="HeaderSize"/>) are
/// reserved and must be zero.
/// </summary>
/// <param name="Revision">0x00010000 for revision 1.0, the only one defined.</param>
/// <param name="HeaderSize">Bytes covered by the header CRC: 92 to the logical block size.</param>
/// <param name="MyLba">The LBA holding this header.</param>
/// <param name="AlternateLba">The LBA of the other header.</param>
/// <param name="FirstUsableLba">First LBA a partition may use.</param>
/// <param name="LastUsableLba">Last LBA a partition may use (inclusive).</param>
/// <param name="DiskGuid">The disk's GUID.</param>
/// <param name="PartitionEntryLba">First LBA of this copy's entry array.</param>
/// <param name="NumberOfPartitionEntries">Entries in the array (used or not).</param>
/// <param name="SizeOfPartitionEntry">Bytes per entry: 128 × 2^n.</param>
/// <param name="PartitionEntryArrayCrc32">CRC32 of NumberOfPartitionEntries × SizeOfPartitionEntry bytes of the array.</param>
public readonly record struct GptHeader(
    uint Revision,
    uint HeaderSize,
    long MyLba,
    long AlternateLba,
    long FirstUsableLba,
    long LastUsableLba,
    Guid DiskGuid,
    long PartitionEntryLba,
    uint NumberOfPartitionEntries,
    uint SizeOfPartitionEntry,
    uint PartitionEntryArrayCrc32)
{
    /// <summary>Bytes of the defined header fields.</summary>
    public const int Size = 92;

    /// <summary>"EFI PART" as a little-endian 64-bit number (§5.3.2).</summary>
    public const ulong SignatureValue = 0x5452415020494645UL;

    /// <summary>Revision 1.0.</summary>
    public const uint Revision1 = 0x00010000;

    /// <summary>Most entries we accept in an array (sgdisk's default is 128).</summary>
    public const uint MaxEntries = 16_384;

    /// <summary>Largest entry size we accept, in bytes.</summary>
    public const uint MaxEntrySize = 4_096;

    /// <summary>Largest entry array we read, in bytes (bounds the allocation before it happens).</summary>
    public const long MaxEntryArrayBytes = 4L << 20;

    private const int SignatureOffset = 0;
    private const int RevisionOffset = 8;
    private const int HeaderSizeOffset = 12;
    private const int HeaderCrcOffset = 16;
    private const int ReservedOffset = 20;
    private const int MyLbaOffset = 24;
    private const int AlternateLbaOffset = 32;
    private const int FirstUsableLbaOffset = 40;
    private const int LastUsableLbaOffset = 48;
    private const int DiskGuidOffset = 56;
    private const int PartitionEntryLbaOffset = 72;
    private const int NumberOfEntriesOffset = 80;
    private const int SizeOfEntryOffset = 84;
    private const int EntryArrayCrcOffset = 88;

    /// <summary>Bytes of the entry array this header describes.</summary>
    public long EntryArrayBytes => (long)NumberOfPartitionEntries * SizeOfPartitionEntry;

    /// <summary>
    /// Parses and checks a header block (one logical block): signature, header size, header CRC,
    /// reserved field, revision, entry size and count bounds. Location checks that need the disk
    /// (MyLBA, usable range, array placement) are <see cref="GptTable.Read"/>'s.
    /// </summary>
    /// <exception cref="GptFormatException">A field is wrong; the message names it.</exception>
    public static GptHeader Parse(ReadOnlySpan<byte> block)
    {
        if (block.Length < Size)
        {
            throw new GptFormatException($"GPT header: block of {block.Length} bytes, expected at least {Size}");
        }

        // §5.3.2: Signature "EFI PART".
        ulong signature = BinaryPrimitives.ReadUInt64LittleEndian(block[SignatureOffset..]);
        if (signature != SignatureValue)
        {
            throw new GptFormatException($"GPT header: signature 0x{signature:X16}, expected 0x{SignatureValue:X16} (\"EFI PART\")");
        }

        // §5.3.2: HeaderSize must be >= 92 and <= the logical block size; bounded before the CRC uses it.
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(block[HeaderSizeOffset..]);
        if (headerSize < Size || headerSize > block.Length)
        {
            throw new GptFormatException($"GPT header: HeaderSize {headerSize} outside [{Size}, {block.Length}] (the block size)");
        }

        // §5.3.2: HeaderCRC32 over HeaderSize bytes with the CRC field itself as zero.
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(block[HeaderCrcOffset..]);
        uint computedCrc = ComputeCrc(block[..(int)headerSize]);
        if (storedCrc != computedCrc)
        {
            throw new GptFormatException($"GPT header: HeaderCRC32 0x{storedCrc:X8}, computed 0x{computedCrc:X8}");
        }

        uint reserved = BinaryPrimitives.ReadUInt32LittleEndian(block[ReservedOffset..]);
        if (reserved != 0)
        {
            throw new GptFormatException($"GPT header: Reserved field at offset {ReservedOffset} is 0x{reserved:X8}, expected 0");
        }

        uint revision = BinaryPrimitives.ReadUInt32LittleEndian(block[RevisionOffset..]);
        if (revision >> 16 != 1)
        {
            throw new GptFormatException($"GPT header: Revision 0x{revision:X8}, expected major version 1 (0x0001xxxx)");
        }

        // §5.3.2: SizeOfPartitionEntry is 128 × 2^n; bounded by our limits before any allocation.
        uint entrySize = BinaryPrimitives.ReadUInt32LittleEndian(block[SizeOfEntryOffset..]);
        if (entrySize < GptPartitionEntry.Size || entrySize > MaxEntrySize || (entrySize & (entrySize - 1)) != 0)
        {
            throw new GptFormatException($"GPT header: SizeOfPartitionEntry {entrySize}, expected 128 × 2^n up to {MaxEntrySize}");
        }

        uint entryCount = BinaryPrimitives.ReadUInt32LittleEndian(block[NumberOfEntriesOffset..]);
        if (entryCount < 1 || entryCount > MaxEntries || (long)entryCount * entrySize > MaxEntryArrayBytes)
        {
            throw new GptFormatException($"GPT header: NumberOfPartitionEntries {entryCount} (of {entrySize} bytes) outside [1, {MaxEntries}] or above {MaxEntryArrayBytes} bytes");
        }

        var header = new GptHeader(
            revision,
            headerSize,
            BinaryPrimitives.ReadInt64LittleEndian(block[MyLbaOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[AlternateLbaOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[FirstUsableLbaOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[LastUsableLbaOffset..]),
            new Guid(block.Slice(DiskGuidOffset, 16)), // mixed-endian as GPT stores it: Guid's byte layout
            BinaryPrimitives.ReadInt64LittleEndian(block[PartitionEntryLbaOffset..]),
            entryCount,
            entrySize,
            BinaryPrimitives.ReadUInt32LittleEndian(block[EntryArrayCrcOffset..]));
        // The LBA fields are UINT64 (UEFI 2.10 §5.3.2): a value of 2^63 or more is read as a negative
        // long, refused here and always printed as the unsigned number the disk holds.
        if (header.MyLba < 1 || header.AlternateLba < 1 || header.FirstUsableLba < 1 || header.LastUsableLba < 1 || header.PartitionEntryLba < 1)
        {
            throw new GptFormatException($"GPT header: an LBA field is outside [1, {long.MaxValue}] (MyLBA {Lba(header.MyLba)}, AlternateLBA {Lba(header.AlternateLba)}, FirstUsableLBA {Lba(header.FirstUsableLba)}, LastUsableLBA {Lba(header.LastUsableLba)}, PartitionEntryLBA {Lba(header.PartitionEntryLba)})");
        }

        return header;
    }

    /// <summary>An LBA field as the disk holds it: unsigned (a value read as a negative long is 2^63 or more).</summary>
    internal static string Lba(long value) => ((ulong)value).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses a header block; false when <see cref="Parse"/> would throw.</summary>
    public static bool TryParse(ReadOnlySpan<byte> block, out GptHeader header)
    {
        try
        {
            header = Parse(block);
            return true;
        }
        catch (GptFormatException)
        {
            header = default;
            return false;
        }
    }

    /// <summary>Writes the header into <paramref name="block"/> (one logical block: zeros after the fields) with its CRC.</summary>
    public void WriteTo(Span<byte> block)
    {
        if (HeaderSize < Size || HeaderSize > block.Length)
        {
            throw new ArgumentException($"HeaderSize {HeaderSize} does not fit a block of {block.Length} bytes", nameof(block));
        }

        block.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(block[SignatureOffset..], SignatureValue);
        BinaryPrimitives.WriteUInt32LittleEndian(block[RevisionOffset..], Revision);
        BinaryPrimitives.WriteUInt32LittleEndian(block[HeaderSizeOffset..], HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(block[MyLbaOffset..], MyLba);
        BinaryPrimitives.WriteInt64LittleEndian(block[AlternateLbaOffset..], AlternateLba);
        BinaryPrimitives.WriteInt64LittleEndian(block[FirstUsableLbaOffset..], FirstUsableLba);
        BinaryPrimitives.WriteInt64LittleEndian(block[LastUsableLbaOffset..], LastUsableLba);
        DiskGuid.TryWriteBytes(block.Slice(DiskGuidOffset, 16));
        BinaryPrimitives.WriteInt64LittleEndian(block[PartitionEntryLbaOffset..], PartitionEntryLba);
        BinaryPrimitives.WriteUInt32LittleEndian(block[NumberOfEntriesOffset..], NumberOfPartitionEntries);
        BinaryPrimitives.WriteUInt32LittleEndian(block[SizeOfEntryOffset..], SizeOfPartitionEntry);
        BinaryPrimitives.WriteUInt32LittleEndian(block[EntryArrayCrcOffset..], PartitionEntryArrayCrc32);
        BinaryPrimitives.WriteUInt32LittleEndian(block[HeaderCrcOffset..], ComputeCrc(block[..(int)HeaderSize]));
    }

    /// <summary>CRC32 of the header bytes with the HeaderCRC32 field taken as zero.</summary>
    private static uint ComputeCrc(ReadOnlySpan<byte> header)
    {
        var crc = new Crc32();
        crc.Append(header[..HeaderCrcOffset]);
        crc.Append([0, 0, 0, 0]);
        crc.Append(header[(HeaderCrcOffset + 4)..]);
        return crc.GetCurrentHashAsUInt32();
    }
}
