using System.Buffers.Binary;

namespace RecoverySim.BlockDevice.Mbr;

/// <summary>
/// A classic MBR partition table in the first 512 bytes of sector 0: boot code, a 32-bit disk
/// signature at 440, four primary records at 446 and the 0x55 0xAA signature at 510. Extended and
/// logical partitions are not followed (a stick's FAT volume is a primary partition).
/// </summary>
/// <param name="DiskSignature">The disk signature at offset 440.</param>
/// <param name="Entry0">Primary record 1 (offset 446).</param>
/// <param name="Entry1">Primary record 2 (offset 462).</param>
/// <param name="Entry2">Primary record 3 (offset 478).</param>
/// <param name="Entry3">Primary record 4 (offset 494).</param>
public readonly record struct MbrPartitionTable(uint DiskSignature, MbrPartitionEntry Entry0, MbrPartitionEntry Entry1, MbrPartitionEntry Entry2, MbrPartitionEntry Entry3)
{
    /// <summary>Bytes of the MBR structure (the rest of a larger sector 0 is not part of it).</summary>
    public const int Size = 512;

    /// <summary>Primary records in the table.</summary>
    public const int EntryCount = 4;

    /// <summary>OS type of a GPT's protective record: a table holding one means the disk is GPT.</summary>
    public const byte GptProtectiveType = 0xEE;

    private const int DiskSignatureOffset = 440;
    private const int RecordsOffset = 446;
    private const int SignatureOffset = 510;
    private const ushort BootSignature = 0xAA55;

    /// <summary>The partition types that hold FAT: 0x01 FAT12, 0x04/0x06 FAT16, 0x0B/0x0C FAT32 (CHS/LBA), 0x0E FAT16 LBA, 0xEF EFI System.</summary>
    public static ReadOnlySpan<byte> FatTypes => [0x01, 0x04, 0x06, 0x0B, 0x0C, 0x0E, 0xEF];

    /// <summary>The four primary records in order.</summary>
    public IReadOnlyList<MbrPartitionEntry> Entries => [Entry0, Entry1, Entry2, Entry3];

    /// <summary>True when a record has the GPT protective type 0xEE (the disk is GPT, maybe with a hybrid MBR).</summary>
    public bool IsGptProtective => Entries.Any(e => e.Type == GptProtectiveType);

    /// <summary>True when <paramref name="type"/> is one of <see cref="FatTypes"/>.</summary>
    public static bool IsFatType(byte type) => FatTypes.Contains(type);

    /// <summary>A table with <paramref name="entry"/> as its only (first) record.</summary>
    public static MbrPartitionTable WithSinglePartition(MbrPartitionEntry entry, uint diskSignature = 0) =>
        new(diskSignature, entry, default, default, default);

    /// <summary>
    /// Parses and checks sector 0: the signature, every boot indicator 0x00 or 0x80, every used
    /// record at LBA ≥ 1 with ≥ 1 sector, no two used records overlapping.
    /// </summary>
    /// <exception cref="MbrFormatException">Any of those fails; the message names the record, the field and the value.</exception>
    public static MbrPartitionTable Parse(ReadOnlySpan<byte> sector)
    {
        if (sector.Length < Size)
        {
            throw new MbrFormatException($"MBR: sector of {sector.Length} bytes, expected at least {Size}");
        }

        ushort signature = BinaryPrimitives.ReadUInt16LittleEndian(sector[SignatureOffset..]);
        if (signature != BootSignature)
        {
            throw new MbrFormatException($"MBR: signature 0x{signature:X4} at offset {SignatureOffset}, expected 0x{BootSignature:X4}");
        }

        var entries = new MbrPartitionEntry[EntryCount];
        for (int i = 0; i < EntryCount; i++)
        {
            MbrPartitionEntry entry = MbrPartitionEntry.Parse(sector.Slice(RecordsOffset + i * MbrPartitionEntry.Size, MbrPartitionEntry.Size));
            if (entry.BootIndicator is not (0x00 or 0x80))
            {
                throw new MbrFormatException($"MBR: record {i + 1} boot indicator 0x{entry.BootIndicator:X2}, expected 0x00 or 0x80");
            }

            if (entry.IsUsed && (entry.FirstLba == 0 || entry.SectorCount == 0))
            {
                throw new MbrFormatException($"MBR: record {i + 1} (type 0x{entry.Type:X2}) starts at LBA {entry.FirstLba} with {entry.SectorCount} sectors; expected LBA ≥ 1 and ≥ 1 sector");
            }

            for (int j = 0; j < i; j++)
            {
                MbrPartitionEntry other = entries[j];
                if (entry.IsUsed && other.IsUsed && entry.Type != GptProtectiveType && other.Type != GptProtectiveType
                    && entry.FirstLba < other.EndLba && other.FirstLba < entry.EndLba)
                {
                    throw new MbrFormatException($"MBR: records {j + 1} and {i + 1} overlap (LBAs [{other.FirstLba}, {other.EndLba}) and [{entry.FirstLba}, {entry.EndLba}))");
                }
            }

            entries[i] = entry;
        }

        return new MbrPartitionTable(BinaryPrimitives.ReadUInt32LittleEndian(sector[DiskSignatureOffset..]), entries[0], entries[1], entries[2], entries[3]);
    }

    /// <summary>Parses sector 0; false when it is not a valid MBR.</summary>
    public static bool TryParse(ReadOnlySpan<byte> sector, out MbrPartitionTable table)
    {
        try
        {
            table = Parse(sector);
            return true;
        }
        catch (MbrFormatException)
        {
            table = default;
            return false;
        }
    }

    /// <summary>Checks that every used record lies inside a disk of <paramref name="sectorCount"/> sectors.</summary>
    /// <exception cref="MbrFormatException">A record passes the end of the disk.</exception>
    public void CheckFits(long sectorCount)
    {
        for (int i = 0; i < EntryCount; i++)
        {
            MbrPartitionEntry entry = Entries[i];
            if (entry.IsUsed && entry.Type != GptProtectiveType && entry.EndLba > sectorCount)
            {
                throw new MbrFormatException($"MBR: record {i + 1} (type 0x{entry.Type:X2}) ends at LBA {entry.EndLba}, past the end of the {sectorCount}-sector disk");
            }
        }
    }

    /// <summary>Writes the 512-byte MBR: boot code zero, the disk signature, the four records and the signature.</summary>
    public void WriteTo(Span<byte> sector)
    {
        if (sector.Length < Size)
        {
            throw new ArgumentException($"sector of {sector.Length} bytes, at least {Size} needed", nameof(sector));
        }

        sector[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(sector[DiskSignatureOffset..], DiskSignature);
        for (int i = 0; i < EntryCount; i++)
        {
            Entries[i].WriteTo(sector.Slice(RecordsOffset + i * MbrPartitionEntry.Size, MbrPartitionEntry.Size));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(sector[SignatureOffset..], BootSignature);
    }
}
