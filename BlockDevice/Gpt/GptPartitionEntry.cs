using System.Buffers.Binary;
using System.Text;

namespace RecoverySim.BlockDevice.Gpt;

/// <summary>
/// One GPT partition entry (UEFI 2.10 §5.3.3, Table 5.6). An entry whose type GUID is all zeros
/// is unused. LBAs are inclusive; the name is up to 36 UTF-16LE code units, NUL-padded.
/// </summary>
/// <param name="TypeGuid">The partition type (<see cref="GptPartitionTypes"/>); empty = unused.</param>
/// <param name="UniqueGuid">The partition's own GUID.</param>
/// <param name="FirstLba">First LBA of the partition.</param>
/// <param name="LastLba">Last LBA of the partition, inclusive.</param>
/// <param name="Attributes">Attribute bits (§5.3.3 Table 5.8: bit 0 required, 1 no block IO protocol, 2 legacy BIOS bootable, 48-63 type-specific).</param>
/// <param name="Name">The partition name, at most <see cref="MaxNameLength"/> UTF-16 code units, no NUL.</param>
public readonly record struct GptPartitionEntry(Guid TypeGuid, Guid UniqueGuid, long FirstLba, long LastLba, ulong Attributes, string Name)
{
    /// <summary>Bytes of the defined fields (entries may be larger; the rest is reserved, zero).</summary>
    public const int Size = 128;

    /// <summary>Most UTF-16 code units in a name.</summary>
    public const int MaxNameLength = 36;

    private const int TypeGuidOffset = 0;
    private const int UniqueGuidOffset = 16;
    private const int FirstLbaOffset = 32;
    private const int LastLbaOffset = 40;
    private const int AttributesOffset = 48;
    private const int NameOffset = 56;
    private const int NameBytes = MaxNameLength * 2;

    /// <summary>An unused entry.</summary>
    public static GptPartitionEntry Empty { get; } = new(Guid.Empty, Guid.Empty, 0, 0, 0, string.Empty);

    /// <summary>True when the entry describes a partition (its type GUID is not zero).</summary>
    public bool IsUsed => TypeGuid != Guid.Empty;

    /// <summary>Sectors in the partition.</summary>
    public long SectorCount => LastLba - FirstLba + 1;

    /// <summary>Parses the first <see cref="Size"/> bytes of an entry. Never fails on content: validity against the disk is <see cref="GptTable"/>'s.</summary>
    public static GptPartitionEntry Parse(ReadOnlySpan<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new GptFormatException($"GPT entry: {entry.Length} bytes, expected at least {Size}");
        }

        // §5.3.3: PartitionName is 72 bytes of UTF-16LE, NUL-terminated when shorter.
        ReadOnlySpan<byte> nameBytes = entry.Slice(NameOffset, NameBytes);
        int length = 0;
        while (length < MaxNameLength && BinaryPrimitives.ReadUInt16LittleEndian(nameBytes[(length * 2)..]) != 0)
        {
            length++;
        }

        return new GptPartitionEntry(
            new Guid(entry.Slice(TypeGuidOffset, 16)),
            new Guid(entry.Slice(UniqueGuidOffset, 16)),
            BinaryPrimitives.ReadInt64LittleEndian(entry[FirstLbaOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(entry[LastLbaOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(entry[AttributesOffset..]),
            Encoding.Unicode.GetString(nameBytes[..(length * 2)]));
    }

    /// <summary>Writes the entry into the first <see cref="Size"/> bytes of <paramref name="entry"/>.</summary>
    public void WriteTo(Span<byte> entry)
    {
        if (entry.Length < Size)
        {
            throw new ArgumentException($"entry of {entry.Length} bytes, at least {Size} needed", nameof(entry));
        }

        CheckName(Name);
        entry[..Size].Clear();
        TypeGuid.TryWriteBytes(entry.Slice(TypeGuidOffset, 16));
        UniqueGuid.TryWriteBytes(entry.Slice(UniqueGuidOffset, 16));
        BinaryPrimitives.WriteInt64LittleEndian(entry[FirstLbaOffset..], FirstLba);
        BinaryPrimitives.WriteInt64LittleEndian(entry[LastLbaOffset..], LastLba);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[AttributesOffset..], Attributes);
        Encoding.Unicode.GetBytes(Name, entry.Slice(NameOffset, NameBytes));
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> cannot be stored.</summary>
    public static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"partition name '{name}' has {name.Length} UTF-16 code units, the limit is {MaxNameLength}", nameof(name));
        }

        if (name.Contains('\0'))
        {
            throw new ArgumentException($"partition name '{name.Replace('\0', '?')}' contains a NUL", nameof(name));
        }
    }
}
