using System.Buffers.Binary;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// The FAT32 FSInfo sector (fatgen103 section 5): a hint of the free cluster count and of the next
/// free cluster. Written by <see cref="FatFormatter"/>; never trusted for reading.
/// </summary>
/// <param name="FreeCount">FSI_Free_Count: free clusters, or 0xFFFFFFFF when unknown.</param>
/// <param name="NextFree">FSI_Nxt_Free: where to start looking for a free cluster, or 0xFFFFFFFF.</param>
public readonly record struct FatFsInfo(uint FreeCount, uint NextFree)
{
    /// <summary>Bytes of the structure.</summary>
    public const int Size = 512;

    private const int LeadSignatureOffset = 0;
    private const int StructSignatureOffset = 484;
    private const int FreeCountOffset = 488;
    private const int NextFreeOffset = 492;
    private const int TrailSignatureOffset = 508;
    private const uint LeadSignature = 0x41615252;
    private const uint StructSignature = 0x61417272;
    private const uint TrailSignature = 0xAA550000;

    /// <summary>Parses an FSInfo sector; throws <see cref="FatFormatException"/> when a signature is wrong.</summary>
    public static FatFsInfo Parse(ReadOnlySpan<byte> sector)
    {
        if (sector.Length < Size)
        {
            throw new FatFormatException($"FSInfo: {sector.Length} bytes, expected at least {Size}");
        }

        foreach ((int offset, uint expected) in new[] { (LeadSignatureOffset, LeadSignature), (StructSignatureOffset, StructSignature), (TrailSignatureOffset, TrailSignature) })
        {
            uint found = BinaryPrimitives.ReadUInt32LittleEndian(sector[offset..]);
            if (found != expected)
            {
                throw new FatFormatException($"FSInfo: signature 0x{found:X8} at offset {offset}, expected 0x{expected:X8}");
            }
        }

        return new FatFsInfo(BinaryPrimitives.ReadUInt32LittleEndian(sector[FreeCountOffset..]), BinaryPrimitives.ReadUInt32LittleEndian(sector[NextFreeOffset..]));
    }

    /// <summary>Writes the 512-byte sector: signatures, the two hints, zeros elsewhere.</summary>
    public void WriteTo(Span<byte> sector)
    {
        if (sector.Length < Size)
        {
            throw new ArgumentException($"sector of {sector.Length} bytes, at least {Size} needed", nameof(sector));
        }

        sector[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(sector[LeadSignatureOffset..], LeadSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[StructSignatureOffset..], StructSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[FreeCountOffset..], FreeCount);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[NextFreeOffset..], NextFree);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[TrailSignatureOffset..], TrailSignature);
    }
}
