using System.Buffers.Binary;
using RecoverySim.BlockDevice.Fat;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>Generators and helpers shared by the FAT tests.</summary>
public static class FatGen
{
    /// <summary>Characters FAT allows in a long name, from plain ASCII to accented, Greek and CJK letters.</summary>
    public static readonly Gen<char> NameChar = Gen.OneOf(
        Gen.Char['a', 'z'], Gen.Char['A', 'Z'], Gen.Char['0', '9'], Gen.OneOf('_', '-', '~', '.', ' ', '+', ',', ';', '=', '[', ']', '\''),
        Gen.Char['\u00C0', '\u00FF'], Gen.Char['\u0391', '\u03C9'], Gen.Char['\u4E00', '\u4E20']);

    /// <summary>A name valid on FAT: 1 … 40 characters (some above 13, so several long-name pieces), not ending in '.' or ' ', not "." or "..".</summary>
    public static readonly Gen<string> Name = Gen.OneOf(
            Gen.String[NameChar, 1, 40],
            Gen.String[Gen.Char['a', 'z'], 1, 8],                                                    // lower-case 8.3 (NT flags)
            Gen.Select(Gen.String[Gen.Char['A', 'Z'], 1, 8], Gen.String[Gen.Char['A', 'Z'], 1, 3]).Select(t => $"{t.Item1}.{t.Item2}"), // plain 8.3
            Gen.String[NameChar, 200, 255])                                                          // near the 255 limit
        .Select(s => s.TrimEnd('.', ' '))
        .Where(s => s.Length > 0 && s.Trim('.').Length > 0);

    /// <summary>A path of 1 … 5 names.</summary>
    public static readonly Gen<string> Path = Name.Array[1, 5].Select(names => "/" + string.Join('/', names));

    /// <summary>FAT12, FAT16 or FAT32.</summary>
    public static readonly Gen<FatType> Type = Gen.Enum<FatType>();

    /// <summary>None, MBR or GPT.</summary>
    public static readonly Gen<StickPartitionTable> Table = Gen.Enum<StickPartitionTable>();

    /// <summary>A valid boot sector of any FAT type, sector size and cluster size, with consistent geometry.</summary>
    public static readonly Gen<FatBootSector> BootSector =
        Gen.Select(Type, Gen.Int[0, 3], Gen.Int[0, 7], Gen.Int[1, 64], Gen.Int[1, 2], Gen.Int[1, 1024], Gen.Double[0, 1])
            .Select(Gen.Int[0, 3], Gen.UInt, Gen.String[Gen.Char['A', 'Z'], 11, 11], Gen.OneOf<byte>(0xF0, 0xF8, 0xFA, 0xFF), (t, extraFat, id, label, media) =>
            {
                (FatType type, int sectorExp, int clusterExp, int reserved, int fats, int rootEntries, double where) = t;
                int bytesPerSector = 512 << sectorExp;
                while (bytesPerSector << clusterExp > FatBootSector.MaxClusterBytes)
                {
                    clusterExp--;
                }

                (long min, long max) = type switch
                {
                    FatType.Fat12 => (1L, 4084L),
                    FatType.Fat16 => (4085L, 65524L),
                    _ => (65525L, 4_000_000L),
                };
                long clusters = min + (long)((max - min) * where);
                int spc = 1 << clusterExp;
                bool fat32 = type == FatType.Fat32;
                long fatSectors = ((((clusters + 2) * FatBootSector.EntryBits(type)) + 7) / 8 + bytesPerSector - 1) / bytesPerSector + extraFat;
                long rootSectors = fat32 ? 0 : (rootEntries * 32L + bytesPerSector - 1) / bytesPerSector;
                long total = reserved + (fats * fatSectors) + rootSectors + (clusters * spc);
                return new FatBootSector
                {
                    Jump = 0x903CEB,
                    OemName = "MSWIN4.1",
                    BytesPerSector = (ushort)bytesPerSector,
                    SectorsPerCluster = (byte)spc,
                    ReservedSectors = (ushort)reserved,
                    NumberOfFats = (byte)fats,
                    RootEntryCount = (ushort)(fat32 ? 0 : rootEntries),
                    TotalSectors16 = !fat32 && total < 0x10000 ? (ushort)total : (ushort)0,
                    Media = media,
                    FatSize16 = fat32 ? (ushort)0 : (ushort)fatSectors,
                    SectorsPerTrack = 63,
                    NumberOfHeads = 255,
                    HiddenSectors = id % 5000,
                    TotalSectors32 = !fat32 && total < 0x10000 ? 0 : (uint)total,
                    FatSize32 = fat32 ? (uint)fatSectors : 0,
                    ExtendedFlags = 0,
                    RootCluster = fat32 ? 2u + (id % 100) : 0,
                    FsInfoSector = (ushort)(fat32 ? 1 : 0),
                    BackupBootSector = (ushort)(fat32 ? 6 : 0),
                    DriveNumber = 0x80,
                    BootSignature = FatBootSector.ExtendedBootSignature,
                    VolumeId = id,
                    VolumeLabel = label,
                    FileSystemType = fat32 ? "FAT32   " : "FAT     ",
                };
            })
            .Where(b => b.FatSize16 != 0 || b.IsFat32Layout);

    /// <summary>Deterministic content: <paramref name="length"/> bytes from <paramref name="seed"/>.</summary>
    public static byte[] Content(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A stick written by <see cref="FatFormatter"/> in memory, with <paramref name="content"/> at the options' path.</summary>
    public static (MemoryBlockDevice Stick, FatStickLayout Layout) Stick(byte[] content, FatFormatOptions options)
    {
        FatStickLayout layout = FatFormatter.Plan(content.Length, options);
        var stick = new MemoryBlockDevice(layout.StickSectors);
        FatFormatter.Write(stick, layout, new MemoryStream(content));
        return (stick, layout);
    }

    /// <summary>All bytes of a stream, read in reads of <paramref name="chunk"/> bytes.</summary>
    public static byte[] ReadAll(Stream stream, int chunk = 1 << 16)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[chunk];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    /// <summary>Writes FAT entry <paramref name="cluster"/> of copy <paramref name="copy"/> (0 = FAT #1) of the volume at <paramref name="first"/> on <paramref name="stick"/>.</summary>
    public static void SetFatEntry(IBlockDevice stick, long first, FatBootSector boot, int copy, uint cluster, uint value)
    {
        long offset = EntryOffset(boot, cluster);
        long fatStart = (first + boot.ReservedSectors + (copy * boot.FatSectors)) * 512;
        long sector = (fatStart + offset) / 512;
        byte[] two = new byte[1024];
        stick.Read(sector, two);
        int at = (int)((fatStart + offset) % 512);
        switch (boot.Type)
        {
            case FatType.Fat12:
                ushort word = BinaryPrimitives.ReadUInt16LittleEndian(two.AsSpan(at));
                word = (cluster & 1) == 0 ? (ushort)((word & 0xF000u) | (value & 0xFFFu)) : (ushort)((word & 0x000Fu) | (value << 4));
                BinaryPrimitives.WriteUInt16LittleEndian(two.AsSpan(at), word);
                break;
            case FatType.Fat16:
                BinaryPrimitives.WriteUInt16LittleEndian(two.AsSpan(at), (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(two.AsSpan(at), value);
                break;
        }

        stick.Write(sector, two);
    }

    /// <summary>The stick sector of FAT entry <paramref name="cluster"/> in copy <paramref name="copy"/>.</summary>
    public static long FatEntrySector(long first, FatBootSector boot, int copy, uint cluster) =>
        first + boot.ReservedSectors + (copy * boot.FatSectors) + (EntryOffset(boot, cluster) / 512);

    /// <summary>The stick sector where cluster <paramref name="cluster"/> starts.</summary>
    public static long ClusterSector(long first, FatBootSector boot, uint cluster) =>
        first + boot.FirstDataSector + ((cluster - 2L) * boot.SectorsPerCluster);

    private static long EntryOffset(FatBootSector boot, uint cluster) => boot.Type switch
    {
        FatType.Fat12 => cluster + (cluster / 2),
        FatType.Fat16 => cluster * 2L,
        _ => cluster * 4L,
    };
}
