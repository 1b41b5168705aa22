using System.Buffers.Binary;
using RecoverySim.BlockDevice.Gpt;

namespace RecoverySim.BlockDevice.Mbr;

/// <summary>
/// One of the four 16-byte primary partition records of an MBR (at offsets 446, 462, 478, 494).
/// Addresses are LBAs of the disk's logical sectors; the CHS fields are not read (every tool since
/// LBA-48 uses the LBA fields) and are written from the LBAs in the 255-head, 63-sector geometry.
/// </summary>
/// <param name="BootIndicator">0x80 active, 0x00 not (anything else is invalid).</param>
/// <param name="Type">The partition type (OS indicator); 0 marks an unused record.</param>
/// <param name="FirstLba">First sector of the partition.</param>
/// <param name="SectorCount">Sectors of the partition.</param>
public readonly record struct MbrPartitionEntry(byte BootIndicator, byte Type, uint FirstLba, uint SectorCount)
{
    /// <summary>Bytes of one record.</summary>
    public const int Size = 16;

    /// <summary>An unused record (all zeros).</summary>
    public static MbrPartitionEntry Empty => default;

    private const int BootIndicatorOffset = 0;
    private const int StartChsOffset = 1;
    private const int TypeOffset = 4;
    private const int EndChsOffset = 5;
    private const int FirstLbaOffset = 8;
    private const int SectorCountOffset = 12;

    /// <summary>True when the record describes a partition (type not 0).</summary>
    public bool IsUsed => Type != 0;

    /// <summary>One past the last sector of the partition.</summary>
    public long EndLba => (long)FirstLba + SectorCount;

    /// <summary>Parses one record (no validation: <see cref="MbrPartitionTable.Parse"/> checks the table).</summary>
    public static MbrPartitionEntry Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < Size)
        {
            throw new ArgumentException($"record of {record.Length} bytes, expected {Size}", nameof(record));
        }

        return new MbrPartitionEntry(
            record[BootIndicatorOffset],
            record[TypeOffset],
            BinaryPrimitives.ReadUInt32LittleEndian(record[FirstLbaOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(record[SectorCountOffset..]));
    }

    /// <summary>Writes the 16-byte record, CHS computed from the LBAs (all zero for an unused record).</summary>
    public void WriteTo(Span<byte> record)
    {
        if (record.Length < Size)
        {
            throw new ArgumentException($"record of {record.Length} bytes, at least {Size} needed", nameof(record));
        }

        record[..Size].Clear();
        if (this == default)
        {
            return;
        }

        record[BootIndicatorOffset] = BootIndicator;
        ProtectiveMbr.WriteChs(record.Slice(StartChsOffset, 3), FirstLba);
        record[TypeOffset] = Type;
        ProtectiveMbr.WriteChs(record.Slice(EndChsOffset, 3), SectorCount == 0 ? FirstLba : (uint)Math.Min(EndLba - 1, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(record[FirstLbaOffset..], FirstLba);
        BinaryPrimitives.WriteUInt32LittleEndian(record[SectorCountOffset..], SectorCount);
    }
}
