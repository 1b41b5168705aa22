using System.Buffers.Binary;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A 32-byte VFAT long-name entry (fatgen103 section 7): 13 UTF-16LE code units of the long name
/// in three pieces (offsets 1, 14, 28), the ordinal (1 … 20, 0x40 on the last piece, which comes
/// first on disk), ATTR_LONG_NAME at 11 and the checksum of the 8.3 name it belongs to at 13.
/// <see cref="Characters"/> holds all 13 code units as stored (the name ends at a 0x0000, then 0xFFFF padding).
/// </summary>
/// <param name="Ordinal">LDIR_Ord: the piece number, with <see cref="LastPieceFlag"/> on the last piece.</param>
/// <param name="Characters">The 13 UTF-16 code units of this piece.</param>
/// <param name="Checksum">LDIR_Chksum: <see cref="FatDirectoryEntry.ShortNameChecksum"/> of the short entry.</param>
public readonly record struct FatLongNameEntry(byte Ordinal, string Characters, byte Checksum)
{
    /// <summary>Bytes of one entry.</summary>
    public const int Size = 32;

    /// <summary>UTF-16 code units per entry.</summary>
    public const int CharactersPerEntry = 13;

    /// <summary>Bit of the ordinal that marks the last piece of a name (stored first).</summary>
    public const byte LastPieceFlag = 0x40;

    /// <summary>Longest long name, in UTF-16 code units.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Most pieces of one name: ⌈255 / 13⌉.</summary>
    public const int MaxPieces = 20;

    private const int OrdinalOffset = 0;
    private const int Name1Offset = 1;
    private const int Name1Length = 5;
    private const int AttributesOffset = 11;
    private const int TypeOffset = 12;
    private const int ChecksumOffset = 13;
    private const int Name2Offset = 14;
    private const int Name2Length = 6;
    private const int FirstClusterOffset = 26;
    private const int Name3Offset = 28;
    private const int Name3Length = 2;

    /// <summary>The piece number without the last-piece flag (1 … 31 as stored; 1 … 20 valid).</summary>
    public int Number => Ordinal & 0x1F;

    /// <summary>True on the last piece of a name (the first entry on disk).</summary>
    public bool IsLastPiece => (Ordinal & LastPieceFlag) != 0;

    /// <summary>Parses 32 bytes (the caller has checked ATTR_LONG_NAME at offset 11).</summary>
    public static FatLongNameEntry Parse(ReadOnlySpan<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new ArgumentException($"entry of {entry.Length} bytes, expected {Size}", nameof(entry));
        }

        Span<char> characters = stackalloc char[CharactersPerEntry];
        ReadUnits(entry.Slice(Name1Offset, Name1Length * 2), characters[..Name1Length]);
        ReadUnits(entry.Slice(Name2Offset, Name2Length * 2), characters.Slice(Name1Length, Name2Length));
        ReadUnits(entry.Slice(Name3Offset, Name3Length * 2), characters[(Name1Length + Name2Length)..]);
        return new FatLongNameEntry(entry[OrdinalOffset], new string(characters), entry[ChecksumOffset]);
    }

    /// <summary>Writes the 32 bytes; <see cref="Characters"/> must be exactly 13 code units.</summary>
    public void WriteTo(Span<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new ArgumentException($"entry of {entry.Length} bytes, at least {Size} needed", nameof(entry));
        }

        if (Characters is not { Length: CharactersPerEntry })
        {
            throw new ArgumentException($"a long-name piece holds {CharactersPerEntry} code units, found {Characters?.Length ?? 0}", nameof(entry));
        }

        entry[..Size].Clear();
        entry[OrdinalOffset] = Ordinal;
        WriteUnits(Characters.AsSpan(0, Name1Length), entry.Slice(Name1Offset, Name1Length * 2));
        entry[AttributesOffset] = (byte)FatAttributes.LongName;
        entry[TypeOffset] = 0;
        entry[ChecksumOffset] = Checksum;
        WriteUnits(Characters.AsSpan(Name1Length, Name2Length), entry.Slice(Name2Offset, Name2Length * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(entry[FirstClusterOffset..], 0);
        WriteUnits(Characters.AsSpan(Name1Length + Name2Length), entry.Slice(Name3Offset, Name3Length * 2));
    }

    /// <summary>
    /// The pieces of <paramref name="name"/> in disk order (last piece first): 13 code units each,
    /// ended by 0x0000 and padded with 0xFFFF when the name does not fill the last piece.
    /// </summary>
    public static FatLongNameEntry[] Split(string name, byte checksum)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"long name of {name.Length} code units, above the limit {MaxNameLength}", nameof(name));
        }

        int pieces = (name.Length + CharactersPerEntry - 1) / CharactersPerEntry;
        var entries = new FatLongNameEntry[pieces];
        for (int i = 0; i < pieces; i++)
        {
            char[] units = new char[CharactersPerEntry];
            for (int j = 0; j < CharactersPerEntry; j++)
            {
                int at = i * CharactersPerEntry + j;
                units[j] = at < name.Length ? name[at] : at == name.Length ? '\0' : '\uFFFF';
            }

            byte ordinal = (byte)(i + 1 | (i == pieces - 1 ? LastPieceFlag : 0));
            entries[pieces - 1 - i] = new FatLongNameEntry(ordinal, new string(units), checksum);
        }

        return entries;
    }

    private static void ReadUnits(ReadOnlySpan<byte> bytes, Span<char> units)
    {
        for (int i = 0; i < units.Length; i++)
        {
            units[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
        }
    }

    private static void WriteUnits(ReadOnlySpan<char> units, Span<byte> bytes)
    {
        for (int i = 0; i < units.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[(i * 2)..], units[i]);
        }
    }
}
