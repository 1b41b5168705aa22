using System.Buffers.Binary;

namespace RecoverySim.BlockDevice.Gpt;

/// <summary>
/// The protective MBR in LBA 0 of a GPT disk (UEFI 2.10 §5.2.3, Tables 5.3 and 5.4): one
/// partition record of OS type 0xEE covering the disk from LBA 1, so MBR-only tools see the disk
/// as full.
/// </summary>
/// <param name="DiskSignature">The MBR unique disk signature (unused by UEFI; 0 when we write).</param>
/// <param name="SizeInLba">Size of the 0xEE record: the disk size minus one, or 0xFFFFFFFF when that does not fit.</param>
public readonly record struct ProtectiveMbr(uint DiskSignature, uint SizeInLba)
{
    /// <summary>Bytes of the MBR structure (one 512-byte block; the rest of a larger LBA 0 is zero).</summary>
    public const int Size = 512;

    /// <summary>The OS type of the protective record (§5.2.3 Table 5.4).</summary>
    public const byte ProtectiveOsType = 0xEE;

    private const int DiskSignatureOffset = 440;
    private const int RecordsOffset = 446;
    private const int RecordSize = 16;
    private const int RecordCount = 4;
    private const int SignatureOffset = 510;
    private const ushort BootSignature = 0xAA55;

    // Offsets inside one 16-byte partition record (§5.2.1 Table 5.2).
    private const int RecordBootIndicator = 0;
    private const int RecordStartChs = 1;
    private const int RecordOsType = 4;
    private const int RecordEndChs = 5;
    private const int RecordStartingLba = 8;
    private const int RecordSizeInLba = 12;

    /// <summary>The protective MBR for a disk of <paramref name="sectorCount"/> sectors.</summary>
    public static ProtectiveMbr ForDisk(long sectorCount) =>
        new(0, (uint)Math.Min(sectorCount - 1, uint.MaxValue));

    /// <summary>Parses LBA 0; throws <see cref="GptFormatException"/> when it is not a protective MBR.</summary>
    public static ProtectiveMbr Parse(ReadOnlySpan<byte> block)
    {
        if (block.Length < Size)
        {
            throw new GptFormatException($"protective MBR: block of {block.Length} bytes, expected at least {Size}");
        }

        // §5.2.3: Signature 0xAA55 at offset 510.
        ushort signature = BinaryPrimitives.ReadUInt16LittleEndian(block[SignatureOffset..]);
        if (signature != BootSignature)
        {
            throw new GptFormatException($"protective MBR: signature 0x{signature:X4} at offset {SignatureOffset}, expected 0x{BootSignature:X4}");
        }

        // §5.2.3: one record with OS type 0xEE and StartingLBA 1 (any slot: sgdisk uses the first).
        for (int i = 0; i < RecordCount; i++)
        {
            ReadOnlySpan<byte> record = block.Slice(RecordsOffset + i * RecordSize, RecordSize);
            if (record[RecordOsType] == ProtectiveOsType)
            {
                uint startingLba = BinaryPrimitives.ReadUInt32LittleEndian(record[RecordStartingLba..]);
                if (startingLba != 1)
                {
                    throw new GptFormatException($"protective MBR: record {i} of type 0xEE starts at LBA {startingLba}, expected 1");
                }

                return new ProtectiveMbr(
                    BinaryPrimitives.ReadUInt32LittleEndian(block[DiskSignatureOffset..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(record[RecordSizeInLba..]));
            }
        }

        throw new GptFormatException("protective MBR: no partition record of OS type 0xEE");
    }

    /// <summary>Parses LBA 0; false when it is not a protective MBR.</summary>
    public static bool TryParse(ReadOnlySpan<byte> block, out ProtectiveMbr mbr)
    {
        try
        {
            mbr = Parse(block);
            return true;
        }
        catch (GptFormatException)
        {
            mbr = default;
            return false;
        }
    }

    /// <summary>Writes the 512-byte MBR (boot code zero, one 0xEE record, signature) to the start of <paramref name="block"/>.</summary>
    public void WriteTo(Span<byte> block)
    {
        if (block.Length < Size)
        {
            throw new ArgumentException($"block of {block.Length} bytes, at least {Size} needed", nameof(block));
        }

        block[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block[DiskSignatureOffset..], DiskSignature);
        Span<byte> record = block.Slice(RecordsOffset, RecordSize);
        record[RecordBootIndicator] = 0x00;
        WriteChs(record.Slice(RecordStartChs, 3), 1); // 0x000200: LBA 1
        record[RecordOsType] = ProtectiveOsType;
        WriteChs(record.Slice(RecordEndChs, 3), SizeInLba);
        BinaryPrimitives.WriteUInt32LittleEndian(record[RecordStartingLba..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(record[RecordSizeInLba..], SizeInLba);
        BinaryPrimitives.WriteUInt16LittleEndian(block[SignatureOffset..], BootSignature);
    }

    /// <summary>CHS of an LBA with the 255-head, 63-sector geometry sgdisk uses; 0xFFFFFF when it does not fit (§5.2.3). Also used by <see cref="Mbr.MbrPartitionEntry"/>.</summary>
    internal static void WriteChs(Span<byte> chs, uint lba)
    {
        const uint heads = 255;
        const uint sectors = 63;
        uint cylinder = lba / (heads * sectors);
        if (cylinder > 1023)
        {
            chs[0] = 0xFF;
            chs[1] = 0xFF;
            chs[2] = 0xFF;
            return;
        }

        uint rest = lba % (heads * sectors);
        chs[0] = (byte)(rest / sectors);
        chs[1] = (byte)((rest % sectors + 1) | ((cylinder >> 8) << 6));
        chs[2] = (byte)cylinder;
    }
}
