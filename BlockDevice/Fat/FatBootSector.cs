using System.Buffers.Binary;
using System.Text;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// The boot sector and BIOS parameter block of a FAT volume (Microsoft "FAT: General Overview of
/// On-Disk Format" 1.03, fatgen103, section 3). The layout after offset 36 depends on the BPB
/// kind: a FAT32 BPB (<see cref="FatSize16"/> = 0) holds <see cref="FatSize32"/>,
/// <see cref="ExtendedFlags"/>, <see cref="RootCluster"/>, ... first; a FAT12/16 BPB goes straight
/// to the drive number. The FAT type is decided by the count of clusters alone
/// (fatgen103 "FAT Type Determination"); <see cref="Parse"/> refuses a BPB whose kind
/// contradicts it. Strings are the raw bytes as Latin-1 (so they round-trip), trailing spaces kept.
/// </summary>
public readonly record struct FatBootSector
{
    /// <summary>Bytes of the structure (one 512-byte sector; the rest of a larger sector is not part of it).</summary>
    public const int Size = 512;

    /// <summary>Largest cluster we accept (fatgen103 says 32 KiB; Windows NT formats 64 KiB).</summary>
    public const int MaxClusterBytes = 64 << 10;

    /// <summary>Clusters below which a volume is FAT12.</summary>
    public const long Fat12MaxClustersExclusive = 4085;

    /// <summary>Clusters below which a volume is FAT16 (at or above: FAT32).</summary>
    public const long Fat16MaxClustersExclusive = 65525;

    /// <summary>Most clusters of a FAT32 volume: cluster numbers 2 … 0x0FFFFFF6 (0x0FFFFFF7 marks a bad cluster).</summary>
    public const long Fat32MaxClusters = 0x0FFFFFF5;

    /// <summary>The extended boot signature that says volume id, label and type string are present.</summary>
    public const byte ExtendedBootSignature = 0x29;

    /// <summary>Bit 7 of BPB_ExtFlags (FAT32): the FATs are not mirrored, only the active one (bits 0-3) is valid.</summary>
    public const ushort MirroringDisabledFlag = 0x80;

    // fatgen103 section 3.1, common to every BPB.
    private const int JumpOffset = 0;
    private const int OemNameOffset = 3;
    private const int OemNameLength = 8;
    private const int BytesPerSectorOffset = 11;
    private const int SectorsPerClusterOffset = 13;
    private const int ReservedSectorsOffset = 14;
    private const int NumberOfFatsOffset = 16;
    private const int RootEntryCountOffset = 17;
    private const int TotalSectors16Offset = 19;
    private const int MediaOffset = 21;
    private const int FatSize16Offset = 22;
    private const int SectorsPerTrackOffset = 24;
    private const int NumberOfHeadsOffset = 26;
    private const int HiddenSectorsOffset = 28;
    private const int TotalSectors32Offset = 32;

    // Section 3.2 (FAT12/16): the extended fields start at 36.
    private const int Fat16ExtensionOffset = 36;

    // Section 3.3 (FAT32).
    private const int FatSize32Offset = 36;
    private const int ExtendedFlagsOffset = 40;
    private const int FsVersionOffset = 42;
    private const int RootClusterOffset = 44;
    private const int FsInfoSectorOffset = 48;
    private const int BackupBootSectorOffset = 50;
    private const int Fat32ExtensionOffset = 64;

    // Inside the extension (relative to 36 or 64): BS_DrvNum, BS_Reserved1, BS_BootSig, BS_VolID, BS_VolLab, BS_FilSysType.
    private const int DriveNumberRelative = 0;
    private const int BootSignatureRelative = 2;
    private const int VolumeIdRelative = 3;
    private const int VolumeLabelRelative = 7;
    private const int VolumeLabelLength = 11;
    private const int FileSystemTypeRelative = 18;
    private const int FileSystemTypeLength = 8;

    private const int SignatureOffset = 510;
    private const ushort Signature = 0xAA55;

    /// <summary>BS_jmpBoot, the three bytes at offset 0 as a little-endian 24-bit value (0xEB ?? 0x90 or 0xE9 ?? ??).</summary>
    public uint Jump { get; init; }

    /// <summary>BS_OEMName (8 bytes).</summary>
    public string OemName { get; init; }

    /// <summary>BPB_BytsPerSec: 512, 1024, 2048 or 4096.</summary>
    public ushort BytesPerSector { get; init; }

    /// <summary>BPB_SecPerClus: a power of two from 1 to 128.</summary>
    public byte SectorsPerCluster { get; init; }

    /// <summary>BPB_RsvdSecCnt: sectors before the first FAT (the boot sector is the first), at least 1.</summary>
    public ushort ReservedSectors { get; init; }

    /// <summary>BPB_NumFATs: 1 or 2 copies of the FAT.</summary>
    public byte NumberOfFats { get; init; }

    /// <summary>BPB_RootEntCnt: 32-byte entries of the fixed FAT12/16 root directory; 0 for FAT32.</summary>
    public ushort RootEntryCount { get; init; }

    /// <summary>BPB_TotSec16: total sectors when below 65,536 (else 0 and <see cref="TotalSectors32"/> holds it).</summary>
    public ushort TotalSectors16 { get; init; }

    /// <summary>BPB_Media: 0xF0 or 0xF8 … 0xFF (0xF8 fixed, 0xF0 removable).</summary>
    public byte Media { get; init; }

    /// <summary>BPB_FATSz16: sectors of one FAT for FAT12/16; 0 marks a FAT32 BPB.</summary>
    public ushort FatSize16 { get; init; }

    /// <summary>BPB_SecPerTrk (geometry, not used for LBA access).</summary>
    public ushort SectorsPerTrack { get; init; }

    /// <summary>BPB_NumHeads (geometry, not used for LBA access).</summary>
    public ushort NumberOfHeads { get; init; }

    /// <summary>BPB_HiddSec: sectors before the volume on its disk (the partition's start).</summary>
    public uint HiddenSectors { get; init; }

    /// <summary>BPB_TotSec32: total sectors when <see cref="TotalSectors16"/> is 0.</summary>
    public uint TotalSectors32 { get; init; }

    /// <summary>BPB_FATSz32 (FAT32 BPB only): sectors of one FAT.</summary>
    public uint FatSize32 { get; init; }

    /// <summary>BPB_ExtFlags (FAT32 BPB only): bit 7 set = no mirroring, bits 0-3 = the active FAT.</summary>
    public ushort ExtendedFlags { get; init; }

    /// <summary>BPB_FSVer (FAT32 BPB only): must be 0.0.</summary>
    public ushort FsVersion { get; init; }

    /// <summary>BPB_RootClus (FAT32 BPB only): first cluster of the root directory.</summary>
    public uint RootCluster { get; init; }

    /// <summary>BPB_FSInfo (FAT32 BPB only): sector of the FSInfo structure (written, not read).</summary>
    public ushort FsInfoSector { get; init; }

    /// <summary>BPB_BkBootSec (FAT32 BPB only): sector of the backup boot sector (written, not read).</summary>
    public ushort BackupBootSector { get; init; }

    /// <summary>BS_DrvNum: 0x80 for a fixed disk.</summary>
    public byte DriveNumber { get; init; }

    /// <summary>BS_BootSig: 0x29 when the next three fields are valid.</summary>
    public byte BootSignature { get; init; }

    /// <summary>BS_VolID: the volume serial number.</summary>
    public uint VolumeId { get; init; }

    /// <summary>BS_VolLab (11 bytes, space padded).</summary>
    public string VolumeLabel { get; init; }

    /// <summary>BS_FilSysType (8 bytes, informational only: "FAT12   ", "FAT16   ", "FAT32   ").</summary>
    public string FileSystemType { get; init; }

    /// <summary>True when this is a FAT32 BPB (<see cref="FatSize16"/> = 0).</summary>
    public bool IsFat32Layout => FatSize16 == 0;

    /// <summary>Sectors of one FAT.</summary>
    public long FatSectors => FatSize16 != 0 ? FatSize16 : FatSize32;

    /// <summary>Sectors of the volume.</summary>
    public long TotalSectors => TotalSectors16 != 0 ? TotalSectors16 : TotalSectors32;

    /// <summary>Sectors of the fixed FAT12/16 root directory (0 for FAT32).</summary>
    public long RootDirectorySectors => ((RootEntryCount * 32L) + BytesPerSector - 1) / Math.Max(1, (int)BytesPerSector);

    /// <summary>First sector of the fixed root directory (FAT12/16), just after the FATs.</summary>
    public long RootDirectoryFirstSector => ReservedSectors + (NumberOfFats * FatSectors);

    /// <summary>First sector of cluster 2.</summary>
    public long FirstDataSector => RootDirectoryFirstSector + RootDirectorySectors;

    /// <summary>Clusters of the data region: ⌊(total − first data sector) / sectors per cluster⌋.</summary>
    public long ClusterCount => SectorsPerCluster == 0 ? 0 : Math.Max(0, TotalSectors - FirstDataSector) / SectorsPerCluster;

    /// <summary>Bytes of one cluster.</summary>
    public int ClusterBytes => BytesPerSector * SectorsPerCluster;

    /// <summary>The highest valid cluster number (clusters are numbered from 2).</summary>
    public long MaxCluster => ClusterCount + 1;

    /// <summary>The FAT type by cluster count (fatgen103: &lt; 4085 FAT12, &lt; 65525 FAT16, else FAT32).</summary>
    public FatType Type => ClusterCount < Fat12MaxClustersExclusive ? FatType.Fat12
        : ClusterCount < Fat16MaxClustersExclusive ? FatType.Fat16 : FatType.Fat32;

    /// <summary>Bits of one FAT entry of <paramref name="type"/>.</summary>
    public static int EntryBits(FatType type) => type switch { FatType.Fat12 => 12, FatType.Fat16 => 16, _ => 32 };

    /// <summary>
    /// Parses and checks a boot sector: the 0x55 0xAA signature, the jump, every BPB field in its
    /// legal range, a non-empty data region, the FAT type by cluster count agreeing with the BPB
    /// kind, FATs large enough for every cluster, and (FAT32) the root cluster inside the volume.
    /// </summary>
    /// <exception cref="FatFormatException">Any check fails; the message names the field, its value and the limit.</exception>
    public static FatBootSector Parse(ReadOnlySpan<byte> sector)
    {
        string? error = TryParseCore(sector, out FatBootSector boot);
        return error is null ? boot : throw new FatFormatException($"boot sector: {error}");
    }

    /// <summary>Parses a boot sector; false when it is not a valid one (see <see cref="Parse"/>).</summary>
    public static bool TryParse(ReadOnlySpan<byte> sector, out FatBootSector boot) => TryParseCore(sector, out boot) is null;

    /// <summary>Writes the 512-byte structure: the fields of this BPB's kind, zero boot code, the signature.</summary>
    public void WriteTo(Span<byte> sector)
    {
        if (sector.Length < Size)
        {
            throw new ArgumentException($"sector of {sector.Length} bytes, at least {Size} needed", nameof(sector));
        }

        sector[..Size].Clear();
        sector[JumpOffset] = (byte)Jump;
        sector[JumpOffset + 1] = (byte)(Jump >> 8);
        sector[JumpOffset + 2] = (byte)(Jump >> 16);
        WriteText(sector.Slice(OemNameOffset, OemNameLength), OemName);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[BytesPerSectorOffset..], BytesPerSector);
        sector[SectorsPerClusterOffset] = SectorsPerCluster;
        BinaryPrimitives.WriteUInt16LittleEndian(sector[ReservedSectorsOffset..], ReservedSectors);
        sector[NumberOfFatsOffset] = NumberOfFats;
        BinaryPrimitives.WriteUInt16LittleEndian(sector[RootEntryCountOffset..], RootEntryCount);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[TotalSectors16Offset..], TotalSectors16);
        sector[MediaOffset] = Media;
        BinaryPrimitives.WriteUInt16LittleEndian(sector[FatSize16Offset..], FatSize16);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[SectorsPerTrackOffset..], SectorsPerTrack);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[NumberOfHeadsOffset..], NumberOfHeads);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[HiddenSectorsOffset..], HiddenSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[TotalSectors32Offset..], TotalSectors32);
        int extension = Fat16ExtensionOffset;
        if (IsFat32Layout)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sector[FatSize32Offset..], FatSize32);
            BinaryPrimitives.WriteUInt16LittleEndian(sector[ExtendedFlagsOffset..], ExtendedFlags);
            BinaryPrimitives.WriteUInt16LittleEndian(sector[FsVersionOffset..], FsVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(sector[RootClusterOffset..], RootCluster);
            BinaryPrimitives.WriteUInt16LittleEndian(sector[FsInfoSectorOffset..], FsInfoSector);
            BinaryPrimitives.WriteUInt16LittleEndian(sector[BackupBootSectorOffset..], BackupBootSector);
            extension = Fat32ExtensionOffset;
        }

        sector[extension + DriveNumberRelative] = DriveNumber;
        sector[extension + BootSignatureRelative] = BootSignature;
        BinaryPrimitives.WriteUInt32LittleEndian(sector[(extension + VolumeIdRelative)..], VolumeId);
        WriteText(sector.Slice(extension + VolumeLabelRelative, VolumeLabelLength), VolumeLabel);
        WriteText(sector.Slice(extension + FileSystemTypeRelative, FileSystemTypeLength), FileSystemType);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[SignatureOffset..], Signature);
    }

    /// <summary>The checks of <see cref="Parse"/> on an already built value: null when valid, else the first problem.</summary>
    public string? Validate()
    {
        if (BytesPerSector is not (512 or 1024 or 2048 or 4096))
        {
            return $"BPB_BytsPerSec {BytesPerSector} at offset {BytesPerSectorOffset}, expected 512, 1024, 2048 or 4096";
        }

        if (SectorsPerCluster == 0 || (SectorsPerCluster & (SectorsPerCluster - 1)) != 0)
        {
            return $"BPB_SecPerClus {SectorsPerCluster} at offset {SectorsPerClusterOffset}, expected a power of two from 1 to 128";
        }

        if (ClusterBytes > MaxClusterBytes)
        {
            return $"clusters of {ClusterBytes} bytes ({SectorsPerCluster} × {BytesPerSector}), above the limit {MaxClusterBytes}";
        }

        if (ReservedSectors == 0)
        {
            return $"BPB_RsvdSecCnt 0 at offset {ReservedSectorsOffset}, expected at least 1";
        }

        if (NumberOfFats is not (1 or 2))
        {
            return $"BPB_NumFATs {NumberOfFats} at offset {NumberOfFatsOffset}, expected 1 or 2";
        }

        if (Media is not (0xF0 or >= 0xF8))
        {
            return $"BPB_Media 0x{Media:X2} at offset {MediaOffset}, expected 0xF0 or 0xF8 … 0xFF";
        }

        if (TotalSectors == 0)
        {
            return $"BPB_TotSec16 and BPB_TotSec32 (offsets {TotalSectors16Offset}, {TotalSectors32Offset}) are both 0";
        }

        if (IsFat32Layout)
        {
            if (FatSize32 == 0)
            {
                return $"BPB_FATSz16 and BPB_FATSz32 (offsets {FatSize16Offset}, {FatSize32Offset}) are both 0";
            }

            if (RootEntryCount != 0 || TotalSectors16 != 0)
            {
                return $"FAT32 BPB with BPB_RootEntCnt {RootEntryCount} and BPB_TotSec16 {TotalSectors16}, both must be 0";
            }

            if (FsVersion != 0)
            {
                return $"BPB_FSVer 0x{FsVersion:X4} at offset {FsVersionOffset}, expected 0x0000";
            }
        }
        else if (RootEntryCount == 0)
        {
            return $"FAT12/16 BPB with BPB_RootEntCnt 0 at offset {RootEntryCountOffset}: the fixed root directory needs at least 1 entry";
        }

        if (FirstDataSector >= TotalSectors)
        {
            return $"the data region starts at sector {FirstDataSector} (reserved {ReservedSectors} + {NumberOfFats} FATs × {FatSectors} + root {RootDirectorySectors}), at or past the {TotalSectors} sectors of the volume";
        }

        long clusters = ClusterCount;
        if (clusters < 1)
        {
            return $"the data region of {TotalSectors - FirstDataSector} sectors holds no whole cluster of {SectorsPerCluster} sectors";
        }

        FatType type = Type;
        if (type == FatType.Fat32 && !IsFat32Layout)
        {
            return $"{clusters} clusters make a FAT32 volume (≥ {Fat16MaxClustersExclusive}), but BPB_FATSz16 is {FatSize16} (a FAT12/16 BPB)";
        }

        if (type != FatType.Fat32 && IsFat32Layout)
        {
            return $"a FAT32 BPB (BPB_FATSz16 0) with {clusters} clusters, below the FAT32 minimum {Fat16MaxClustersExclusive}";
        }

        if (clusters > Fat32MaxClusters)
        {
            return $"{clusters} clusters, above the FAT32 limit {Fat32MaxClusters}";
        }

        long entries = FatSectors * BytesPerSector * 8 / EntryBits(type);
        if (entries < clusters + 2)
        {
            return $"a FAT of {FatSectors} sectors holds {entries} entries, fewer than the {clusters + 2} the {clusters} clusters need";
        }

        if (IsFat32Layout)
        {
            if (RootCluster < 2 || RootCluster > MaxCluster)
            {
                return $"BPB_RootClus {RootCluster} at offset {RootClusterOffset}, outside the clusters [2, {MaxCluster}]";
            }

            if ((ExtendedFlags & MirroringDisabledFlag) != 0 && (ExtendedFlags & 0x0F) >= NumberOfFats)
            {
                return $"BPB_ExtFlags 0x{ExtendedFlags:X4}: active FAT {ExtendedFlags & 0x0F}, but there are {NumberOfFats} FATs";
            }
        }

        return null;
    }

    private static string? TryParseCore(ReadOnlySpan<byte> sector, out FatBootSector boot)
    {
        boot = default;
        if (sector.Length < Size)
        {
            return $"{sector.Length} bytes, expected at least {Size}";
        }

        ushort signature = BinaryPrimitives.ReadUInt16LittleEndian(sector[SignatureOffset..]);
        if (signature != Signature)
        {
            return $"signature 0x{signature:X4} at offset {SignatureOffset}, expected 0x{Signature:X4}";
        }

        // fatgen103 3.1 BS_jmpBoot: "EB ?? 90" or "E9 ?? ??"; the second form of the short jump is seen without the NOP too.
        if (sector[JumpOffset] is not (0xEB or 0xE9))
        {
            return $"BS_jmpBoot starts with 0x{sector[JumpOffset]:X2}, expected 0xEB or 0xE9 (not a FAT boot sector)";
        }

        ushort fatSize16 = BinaryPrimitives.ReadUInt16LittleEndian(sector[FatSize16Offset..]);
        bool fat32 = fatSize16 == 0;
        int extension = fat32 ? Fat32ExtensionOffset : Fat16ExtensionOffset;
        var parsed = new FatBootSector
        {
            Jump = (uint)(sector[JumpOffset] | (sector[JumpOffset + 1] << 8) | (sector[JumpOffset + 2] << 16)),
            OemName = Encoding.Latin1.GetString(sector.Slice(OemNameOffset, OemNameLength)),
            BytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(sector[BytesPerSectorOffset..]),
            SectorsPerCluster = sector[SectorsPerClusterOffset],
            ReservedSectors = BinaryPrimitives.ReadUInt16LittleEndian(sector[ReservedSectorsOffset..]),
            NumberOfFats = sector[NumberOfFatsOffset],
            RootEntryCount = BinaryPrimitives.ReadUInt16LittleEndian(sector[RootEntryCountOffset..]),
            TotalSectors16 = BinaryPrimitives.ReadUInt16LittleEndian(sector[TotalSectors16Offset..]),
            Media = sector[MediaOffset],
            FatSize16 = fatSize16,
            SectorsPerTrack = BinaryPrimitives.ReadUInt16LittleEndian(sector[SectorsPerTrackOffset..]),
            NumberOfHeads = BinaryPrimitives.ReadUInt16LittleEndian(sector[NumberOfHeadsOffset..]),
            HiddenSectors = BinaryPrimitives.ReadUInt32LittleEndian(sector[HiddenSectorsOffset..]),
            TotalSectors32 = BinaryPrimitives.ReadUInt32LittleEndian(sector[TotalSectors32Offset..]),
            FatSize32 = fat32 ? BinaryPrimitives.ReadUInt32LittleEndian(sector[FatSize32Offset..]) : 0,
            ExtendedFlags = fat32 ? BinaryPrimitives.ReadUInt16LittleEndian(sector[ExtendedFlagsOffset..]) : (ushort)0,
            FsVersion = fat32 ? BinaryPrimitives.ReadUInt16LittleEndian(sector[FsVersionOffset..]) : (ushort)0,
            RootCluster = fat32 ? BinaryPrimitives.ReadUInt32LittleEndian(sector[RootClusterOffset..]) : 0,
            FsInfoSector = fat32 ? BinaryPrimitives.ReadUInt16LittleEndian(sector[FsInfoSectorOffset..]) : (ushort)0,
            BackupBootSector = fat32 ? BinaryPrimitives.ReadUInt16LittleEndian(sector[BackupBootSectorOffset..]) : (ushort)0,
            DriveNumber = sector[extension + DriveNumberRelative],
            BootSignature = sector[extension + BootSignatureRelative],
            VolumeId = BinaryPrimitives.ReadUInt32LittleEndian(sector[(extension + VolumeIdRelative)..]),
            VolumeLabel = Encoding.Latin1.GetString(sector.Slice(extension + VolumeLabelRelative, VolumeLabelLength)),
            FileSystemType = Encoding.Latin1.GetString(sector.Slice(extension + FileSystemTypeRelative, FileSystemTypeLength)),
        };

        string? error = parsed.Validate();
        if (error is null)
        {
            boot = parsed;
        }

        return error;
    }

    private static void WriteText(Span<byte> field, string? text)
    {
        field.Fill((byte)' ');
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        for (int i = 0; i < field.Length && i < text.Length; i++)
        {
            field[i] = text[i] <= 0xFF ? (byte)text[i] : (byte)'_';
        }
    }
}
