using System.Buffers.Binary;
using System.Text;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A 32-byte short (8.3) directory entry (fatgen103 section 6). <see cref="ShortName"/> is the
/// raw 11-byte DIR_Name as Latin-1 (8 name bytes, 3 extension bytes, space padded); the first
/// byte 0x00 marks the end of the directory, 0xE5 a deleted entry, 0x05 a name that starts with 0xE5.
/// Any 32 bytes parse: what they mean is decided by the directory reader.
/// </summary>
public readonly record struct FatDirectoryEntry
{
    /// <summary>Bytes of one entry.</summary>
    public const int Size = 32;

    /// <summary>DIR_Name[0] of the entry after the last one in use.</summary>
    public const byte EndMarker = 0x00;

    /// <summary>DIR_Name[0] of a deleted entry.</summary>
    public const byte DeletedMarker = 0xE5;

    /// <summary>DIR_Name[0] standing for a real 0xE5 (a KANJI lead byte).</summary>
    public const byte EscapedE5 = 0x05;

    /// <summary>DIR_NTRes bit: the 8-character base is shown in lower case (Windows NT).</summary>
    public const byte LowerCaseBaseFlag = 0x08;

    /// <summary>DIR_NTRes bit: the 3-character extension is shown in lower case (Windows NT).</summary>
    public const byte LowerCaseExtensionFlag = 0x10;

    private const int NameOffset = 0;
    private const int NameLength = 11;
    private const int BaseLength = 8;
    private const int AttributesOffset = 11;
    private const int NtFlagsOffset = 12;
    private const int CreationTenthsOffset = 13;
    private const int CreationTimeOffset = 14;
    private const int CreationDateOffset = 16;
    private const int LastAccessDateOffset = 18;
    private const int FirstClusterHighOffset = 20;
    private const int WriteTimeOffset = 22;
    private const int WriteDateOffset = 24;
    private const int FirstClusterLowOffset = 26;
    private const int FileSizeOffset = 28;

    /// <summary>DIR_Name: the raw 11 bytes as Latin-1.</summary>
    public string ShortName { get; init; }

    /// <summary>DIR_Attr.</summary>
    public FatAttributes Attributes { get; init; }

    /// <summary>DIR_NTRes: <see cref="LowerCaseBaseFlag"/> and <see cref="LowerCaseExtensionFlag"/>.</summary>
    public byte NtFlags { get; init; }

    /// <summary>DIR_CrtTimeTenth.</summary>
    public byte CreationTenths { get; init; }

    /// <summary>DIR_CrtTime.</summary>
    public ushort CreationTime { get; init; }

    /// <summary>DIR_CrtDate.</summary>
    public ushort CreationDate { get; init; }

    /// <summary>DIR_LstAccDate.</summary>
    public ushort LastAccessDate { get; init; }

    /// <summary>DIR_FstClusHI: high word of the first cluster (FAT32 only; 0 on FAT12/16).</summary>
    public ushort FirstClusterHigh { get; init; }

    /// <summary>DIR_WrtTime: hours (5 bits), minutes (6), seconds / 2 (5).</summary>
    public ushort WriteTime { get; init; }

    /// <summary>DIR_WrtDate: years since 1980 (7 bits), month (4), day (5).</summary>
    public ushort WriteDate { get; init; }

    /// <summary>DIR_FstClusLO: low word of the first cluster.</summary>
    public ushort FirstClusterLow { get; init; }

    /// <summary>DIR_FileSize: bytes of a file (0 for a directory).</summary>
    public uint FileSize { get; init; }

    /// <summary>True for the entry that ends the directory (DIR_Name[0] = 0x00).</summary>
    public bool IsEnd => ShortName is { Length: > 0 } && ShortName[0] == (char)EndMarker;

    /// <summary>True for a deleted entry (DIR_Name[0] = 0xE5).</summary>
    public bool IsDeleted => ShortName is { Length: > 0 } && ShortName[0] == (char)DeletedMarker;

    /// <summary>True for a VFAT long-name entry (the low six attribute bits are ATTR_LONG_NAME).</summary>
    public bool IsLongName => ((byte)Attributes & 0x3F) == (byte)FatAttributes.LongName;

    /// <summary>True for the volume label entry.</summary>
    public bool IsVolumeLabel => !IsLongName && (Attributes & FatAttributes.VolumeId) != 0;

    /// <summary>True for a subdirectory.</summary>
    public bool IsDirectory => (Attributes & FatAttributes.Directory) != 0;

    /// <summary>True for the "." and ".." entries of a subdirectory.</summary>
    public bool IsDotEntry => ShortName is ".          " or "..         ";

    /// <summary>The first cluster on a volume of <paramref name="type"/> (the high word counts only on FAT32).</summary>
    public uint FirstCluster(FatType type) => type == FatType.Fat32 ? ((uint)FirstClusterHigh << 16) | FirstClusterLow : FirstClusterLow;

    /// <summary>
    /// The 8.3 name for display: base and extension with their padding removed, joined by a dot
    /// when there is an extension, each in lower case when its DIR_NTRes flag says so; a leading 0x05 shown as 0xE5.
    /// </summary>
    public string DisplayName
    {
        get
        {
            string raw = ShortName ?? string.Empty;
            if (raw.Length != NameLength)
            {
                return raw;
            }

            if (raw[0] == (char)EscapedE5)
            {
                raw = (char)DeletedMarker + raw[1..];
            }

            string name = raw[..BaseLength].TrimEnd(' ');
            string extension = raw[BaseLength..].TrimEnd(' ');
            if ((NtFlags & LowerCaseBaseFlag) != 0)
            {
                name = name.ToLowerInvariant();
            }

            if ((NtFlags & LowerCaseExtensionFlag) != 0)
            {
                extension = extension.ToLowerInvariant();
            }

            return extension.Length == 0 ? name : $"{name}.{extension}";
        }
    }

    /// <summary>The long-name checksum of the 11 name bytes (fatgen103 section 7: rotate right, add).</summary>
    public byte ShortNameChecksum()
    {
        byte sum = 0;
        foreach (char c in ShortName ?? string.Empty)
        {
            sum = (byte)((((sum & 1) << 7) | (sum >> 1)) + (byte)c);
        }

        return sum;
    }

    /// <summary>The last write time, or null when the date or time fields are not a valid date.</summary>
    public DateTime? LastWriteTime => FatTimestamp.Decode(WriteDate, WriteTime);

    /// <summary>Parses 32 bytes (never fails on content).</summary>
    public static FatDirectoryEntry Parse(ReadOnlySpan<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new ArgumentException($"entry of {entry.Length} bytes, expected {Size}", nameof(entry));
        }

        return new FatDirectoryEntry
        {
            ShortName = Encoding.Latin1.GetString(entry.Slice(NameOffset, NameLength)),
            Attributes = (FatAttributes)entry[AttributesOffset],
            NtFlags = entry[NtFlagsOffset],
            CreationTenths = entry[CreationTenthsOffset],
            CreationTime = BinaryPrimitives.ReadUInt16LittleEndian(entry[CreationTimeOffset..]),
            CreationDate = BinaryPrimitives.ReadUInt16LittleEndian(entry[CreationDateOffset..]),
            LastAccessDate = BinaryPrimitives.ReadUInt16LittleEndian(entry[LastAccessDateOffset..]),
            FirstClusterHigh = BinaryPrimitives.ReadUInt16LittleEndian(entry[FirstClusterHighOffset..]),
            WriteTime = BinaryPrimitives.ReadUInt16LittleEndian(entry[WriteTimeOffset..]),
            WriteDate = BinaryPrimitives.ReadUInt16LittleEndian(entry[WriteDateOffset..]),
            FirstClusterLow = BinaryPrimitives.ReadUInt16LittleEndian(entry[FirstClusterLowOffset..]),
            FileSize = BinaryPrimitives.ReadUInt32LittleEndian(entry[FileSizeOffset..]),
        };
    }

    /// <summary>Writes the 32 bytes; <see cref="ShortName"/> must be 11 characters of at most 0xFF.</summary>
    public void WriteTo(Span<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new ArgumentException($"entry of {entry.Length} bytes, at least {Size} needed", nameof(entry));
        }

        if (ShortName is not { Length: NameLength } || ShortName.Any(c => c > 0xFF))
        {
            throw new ArgumentException($"short name '{ShortName}' is not 11 Latin-1 characters", nameof(entry));
        }

        Encoding.Latin1.GetBytes(ShortName, entry.Slice(NameOffset, NameLength));
        entry[AttributesOffset] = (byte)Attributes;
        entry[NtFlagsOffset] = NtFlags;
        entry[CreationTenthsOffset] = CreationTenths;
        BinaryPrimitives.WriteUInt16LittleEndian(entry[CreationTimeOffset..], CreationTime);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[CreationDateOffset..], CreationDate);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[LastAccessDateOffset..], LastAccessDate);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[FirstClusterHighOffset..], FirstClusterHigh);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[WriteTimeOffset..], WriteTime);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[WriteDateOffset..], WriteDate);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[FirstClusterLowOffset..], FirstClusterLow);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[FileSizeOffset..], FileSize);
    }
}
