using System.Buffers;
using System.Buffers.Binary;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.BlockDevice.Mbr;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// Writes a fresh FAT12/16/32 volume holding one file onto a stick, behind an MBR, a GPT or no
/// partition table (docs/FORMAT.md, "USB stick (FAT)", "What usb create writes"): first
/// <see cref="Plan"/> the layout from the file size, then create a stick of
/// <see cref="FatStickLayout.StickSectors"/> sectors and <see cref="Write"/> it. The file is
/// streamed into contiguous clusters; memory does not grow with its size.
/// </summary>
public static class FatFormatter
{
    /// <summary>Largest file FAT can hold: DIR_FileSize is 32 bits.</summary>
    public const long MaxFileBytes = uint.MaxValue;

    /// <summary>Largest cluster we write (fatgen103: larger clusters are not portable).</summary>
    public const int MaxClusterBytes = 32 << 10;

    /// <summary>Clusters kept clear of each FAT type's boundary, so no driver can misjudge the type.</summary>
    public const int BoundaryMargin = 16;

    private const int StreamChunkBytes = 1 << 20;
    private const int FatChunkEntries = 1 << 18;
    private const int RootEntries = 512;
    private const int MaxPathSegments = 32;
    private const string InvalidNameCharacters = "\"*/:<>?\\|\u007F";

    /// <summary>
    /// Lays out a stick for a file of <paramref name="fileBytes"/>: the smallest cluster (512 B …
    /// 32 KiB) for which the directories and the file fit in the type's cluster range (FAT12 ≤ 4,068
    /// clusters, FAT16 4,101 … 65,508, FAT32 65,541 … 2,097,152: fatgen103's limits less
    /// <see cref="BoundaryMargin"/>), padded with free clusters up to the type's minimum.
    /// </summary>
    /// <exception cref="ArgumentException">The file does not fit the type (the message names the largest size that does), the path or label is not valid on FAT, or the file is larger than <see cref="MaxFileBytes"/>.</exception>
    public static FatStickLayout Plan(long fileBytes, FatFormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(fileBytes);
        if (fileBytes > MaxFileBytes)
        {
            throw new ArgumentException($"a file of {fileBytes} bytes does not fit FAT: DIR_FileSize holds at most {MaxFileBytes}", nameof(fileBytes));
        }

        string[] segments = SplitPath(options.Path);
        CheckLabel(options.VolumeLabel);
        (long min, long max) = ClusterRange(options.Type);
        long first = options.PartitionTable == StickPartitionTable.None ? 0 : FatStickLayout.PartitionFirstSector;
        long largest = 0;
        for (int sectorsPerCluster = 1; sectorsPerCluster * FatStickLayout.SectorSize <= MaxClusterBytes; sectorsPerCluster *= 2)
        {
            int clusterBytes = sectorsPerCluster * FatStickLayout.SectorSize;
            int[] directories = DirectoryClusters(segments, options.Type, clusterBytes);
            long directoryTotal = directories.Sum();
            long need = directoryTotal + ((fileBytes + clusterBytes - 1) / clusterBytes);
            largest = Math.Max(largest, Math.Min(MaxFileBytes, (max - directoryTotal) * clusterBytes));
            if (need > max)
            {
                continue;
            }

            FatBootSector boot = BootSector(options, sectorsPerCluster, Math.Max(need, min), (uint)first);
            long alignment = FatStickLayout.PartitionFirstSector;
            long stick = options.PartitionTable switch
            {
                StickPartitionTable.None => boot.TotalSectors,
                StickPartitionTable.Mbr => first + boot.TotalSectors,
                _ => first + ((boot.TotalSectors + alignment - 1) / alignment * alignment) + alignment, // the backup GPT in the last MiB
            };
            return new FatStickLayout
            {
                Options = options,
                Segments = segments,
                FileBytes = fileBytes,
                StickSectors = stick,
                VolumeFirstSector = first,
                BootSector = boot,
                DirectoryClusters = directories,
            };
        }

        throw new ArgumentException(
            $"a file of {fileBytes} bytes does not fit {options.Type}: at most {largest} bytes ({max} clusters of {MaxClusterBytes / 1024} KiB, the {options.Type} limit); use a larger FAT type",
            nameof(fileBytes));
    }

    /// <summary>
    /// Writes the volume of <paramref name="layout"/> onto <paramref name="stick"/> with
    /// <paramref name="content"/> (exactly <see cref="FatStickLayout.FileBytes"/> bytes, read to its end)
    /// as the file. Order: zero the metadata (discard), file data, directories, both FATs, FSInfo,
    /// flush; then boot sector (and FAT32 backup), partition table, flush. A stick cut off before the
    /// last flush has no valid volume rather than a half-written one that looks valid.
    /// </summary>
    /// <exception cref="ArgumentException">The stick is smaller than the layout or not 512-byte sectors.</exception>
    /// <exception cref="IOException">The content is shorter or longer than the layout's file size.</exception>
    public static void Write(IBlockDevice stick, FatStickLayout layout, Stream content)
    {
        ArgumentNullException.ThrowIfNull(stick);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(content);
        if (stick.SectorSize != FatStickLayout.SectorSize || stick.SectorCount < layout.StickSectors)
        {
            throw new ArgumentException(
                $"the stick has {stick.SectorCount} sectors of {stick.SectorSize} bytes; the layout needs {layout.StickSectors} of {FatStickLayout.SectorSize}", nameof(stick));
        }

        FatBootSector boot = layout.BootSector;
        using var volume = new PartitionDevice(stick, layout.VolumeFirstSector, boot.TotalSectors);
        volume.Discard(0, boot.FirstDataSector);
        long[] firsts = ChainStarts(layout);
        uint fileCluster = layout.FileBytes == 0 ? 0 : (uint)firsts[^1];
        WriteContent(volume, boot, fileCluster, layout.FileBytes, content);
        WriteDirectories(volume, layout, firsts);
        WriteFats(volume, layout, firsts);
        byte[] sector = new byte[FatStickLayout.SectorSize];
        if (boot.IsFat32Layout)
        {
            long free = boot.ClusterCount - layout.UsedClusters;
            new FatFsInfo((uint)free, free > 0 ? (uint)(2 + layout.UsedClusters) : uint.MaxValue).WriteTo(sector);
            volume.Write(boot.FsInfoSector, sector);
            volume.Write(boot.BackupBootSector + boot.FsInfoSector, sector);
        }

        volume.Flush();
        boot.WriteTo(sector);
        volume.Write(0, sector);
        if (boot.IsFat32Layout)
        {
            volume.Write(boot.BackupBootSector, sector);
        }

        switch (layout.Options.PartitionTable)
        {
            case StickPartitionTable.Mbr:
                byte type = boot.Type switch { FatType.Fat12 => 0x01, FatType.Fat16 => 0x0E, _ => 0x0C };
                MbrPartitionTable.WithSinglePartition(new MbrPartitionEntry(0x00, type, (uint)layout.VolumeFirstSector, (uint)boot.TotalSectors), layout.Options.VolumeId).WriteTo(sector);
                stick.Write(0, sector);
                break;
            case StickPartitionTable.Gpt:
                GptTable.Create(
                    FatStickLayout.SectorSize,
                    stick.SectorCount,
                    [new GptPartitionSpec("recovery", boot.TotalSectors * FatStickLayout.SectorSize, GptPartitionTypes.MicrosoftBasicData)],
                    layout.Options.NewGuid).Write(stick);
                break;
        }

        stick.Flush();
    }

    /// <summary>The clusters of each FAT type we write: fatgen103's ranges less <see cref="BoundaryMargin"/> (FAT32 capped at 2^21, so the FAT stays ≤ 8 MiB).</summary>
    private static (long Min, long Max) ClusterRange(FatType type) => type switch
    {
        FatType.Fat12 => (16, FatBootSector.Fat12MaxClustersExclusive - 1 - BoundaryMargin),
        FatType.Fat16 => (FatBootSector.Fat12MaxClustersExclusive + BoundaryMargin, FatBootSector.Fat16MaxClustersExclusive - 1 - BoundaryMargin),
        _ => (FatBootSector.Fat16MaxClustersExclusive + BoundaryMargin, 1 << 21),
    };

    private static FatBootSector BootSector(FatFormatOptions options, int sectorsPerCluster, long clusters, uint hidden)
    {
        bool fat32 = options.Type == FatType.Fat32;
        int bits = FatBootSector.EntryBits(options.Type);
        long fatBytes = ((clusters + 2) * bits + 7) / 8;
        long fatSectors = (fatBytes + FatStickLayout.SectorSize - 1) / FatStickLayout.SectorSize;
        ushort reserved = (ushort)(fat32 ? 32 : 1);
        int rootEntries = fat32 ? 0 : RootEntries;
        long rootSectors = rootEntries * 32L / FatStickLayout.SectorSize;
        long total = reserved + (2 * fatSectors) + rootSectors + (clusters * sectorsPerCluster);
        string label = options.VolumeLabel.ToUpperInvariant();
        var boot = new FatBootSector
        {
            Jump = fat32 ? 0x9058EBu : 0x903CEBu,
            OemName = "RECOVSIM",
            BytesPerSector = FatStickLayout.SectorSize,
            SectorsPerCluster = (byte)sectorsPerCluster,
            ReservedSectors = reserved,
            NumberOfFats = 2,
            RootEntryCount = (ushort)rootEntries,
            TotalSectors16 = !fat32 && total < 0x10000 ? (ushort)total : (ushort)0,
            Media = 0xF8,
            FatSize16 = fat32 ? (ushort)0 : (ushort)fatSectors,
            SectorsPerTrack = 63,
            NumberOfHeads = 255,
            HiddenSectors = hidden,
            TotalSectors32 = !fat32 && total < 0x10000 ? 0 : (uint)total,
            FatSize32 = fat32 ? (uint)fatSectors : 0,
            RootCluster = fat32 ? 2u : 0,
            FsInfoSector = (ushort)(fat32 ? 1 : 0),
            BackupBootSector = (ushort)(fat32 ? 6 : 0),
            DriveNumber = 0x80,
            BootSignature = FatBootSector.ExtendedBootSignature,
            VolumeId = options.VolumeId,
            VolumeLabel = label.Length == 0 ? "NO NAME" : label,
            FileSystemType = options.Type switch { FatType.Fat12 => "FAT12", FatType.Fat16 => "FAT16", _ => "FAT32" },
        };
        string? error = boot.Validate();
        if (error is not null || boot.ClusterCount != clusters || boot.Type != options.Type)
        {
            throw new InvalidOperationException($"bug: the planned {options.Type} boot sector has {boot.ClusterCount} clusters (wanted {clusters}): {error}");
        }

        return boot;
    }

    /// <summary>Clusters of each directory chain: the FAT32 root (label + first entry), then each directory on the path ("." + ".." + its one entry).</summary>
    private static int[] DirectoryClusters(string[] segments, FatType type, int clusterBytes)
    {
        var clusters = new List<int>();
        if (type == FatType.Fat32)
        {
            clusters.Add(ClustersFor(1 + EntriesFor(segments[0]), clusterBytes));
        }

        for (int i = 1; i < segments.Length; i++)
        {
            clusters.Add(ClustersFor(2 + EntriesFor(segments[i]), clusterBytes));
        }

        return [.. clusters];
    }

    private static int ClustersFor(int entries, int clusterBytes) => ((entries * FatDirectoryEntry.Size) + clusterBytes - 1) / clusterBytes;

    private static int EntriesFor(string name)
    {
        (_, _, bool needsLongName) = FatShortName.For(name);
        return 1 + (needsLongName ? (name.Length + FatLongNameEntry.CharactersPerEntry - 1) / FatLongNameEntry.CharactersPerEntry : 0);
    }

    /// <summary>The first cluster of every chain in allocation order (directories as in <see cref="FatStickLayout.DirectoryClusters"/>, then the file), and one past the last.</summary>
    private static long[] ChainStarts(FatStickLayout layout)
    {
        var starts = new long[layout.DirectoryClusters.Count + 1];
        long next = 2;
        for (int i = 0; i < layout.DirectoryClusters.Count; i++)
        {
            starts[i] = next;
            next += layout.DirectoryClusters[i];
        }

        starts[^1] = next;
        return starts;
    }

    private static void WriteContent(IBlockDevice volume, FatBootSector boot, uint firstCluster, long length, Stream content)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamChunkBytes);
        try
        {
            long sector = boot.FirstDataSector + ((firstCluster - 2L) * boot.SectorsPerCluster);
            long written = 0;
            while (written < length)
            {
                int want = (int)Math.Min(StreamChunkBytes, length - written);
                int got = 0;
                while (got < want)
                {
                    int n = content.Read(buffer, got, want - got);
                    if (n == 0)
                    {
                        throw new IOException($"the content ended after {written + got} bytes, expected {length}");
                    }

                    got += n;
                }

                int whole = (got + FatStickLayout.SectorSize - 1) / FatStickLayout.SectorSize * FatStickLayout.SectorSize;
                buffer.AsSpan(got, whole - got).Clear();
                volume.Write(sector, buffer.AsSpan(0, whole));
                sector += whole / FatStickLayout.SectorSize;
                written += got;
            }

            if (content.Read(buffer, 0, 1) != 0)
            {
                throw new IOException($"the content is longer than the {length} bytes planned");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteDirectories(IBlockDevice volume, FatStickLayout layout, long[] firsts)
    {
        FatBootSector boot = layout.BootSector;
        IReadOnlyList<string> segments = layout.Segments;
        bool fat32 = boot.IsFat32Layout;
        int offset = fat32 ? 1 : 0; // index in firsts of the first subdirectory
        (ushort date, ushort time) = FatTimestamp.Encode(layout.Options.Timestamp);
        uint ChildCluster(int segment) => segment == segments.Count - 1 ? (layout.FileBytes == 0 ? 0 : (uint)firsts[^1]) : (uint)firsts[offset + segment];
        FatAttributes ChildAttributes(int segment) => segment == segments.Count - 1 ? FatAttributes.Archive : FatAttributes.Directory;
        uint ChildSize(int segment) => segment == segments.Count - 1 ? (uint)layout.FileBytes : 0;

        // The root: the volume label, then the first segment.
        byte[] root = new byte[fat32 ? layout.DirectoryClusters[0] * boot.ClusterBytes : boot.RootDirectorySectors * boot.BytesPerSector];
        int at = 0;
        var label = new FatDirectoryEntry
        {
            ShortName = boot.VolumeLabel.PadRight(11)[..11],
            Attributes = FatAttributes.VolumeId | FatAttributes.Archive,
            WriteDate = date,
            WriteTime = time,
        };
        label.WriteTo(root.AsSpan(at));
        at += FatDirectoryEntry.Size;
        WriteNamed(root, ref at, segments[0], ChildAttributes(0), ChildCluster(0), ChildSize(0), date, time);
        long rootSector = fat32 ? ClusterSector(boot, (uint)firsts[0]) : boot.RootDirectoryFirstSector;
        volume.Write(rootSector, root);

        // Each directory on the path: ".", "..", its one child.
        for (int i = 0; i < segments.Count - 1; i++)
        {
            uint self = (uint)firsts[offset + i];
            uint parent = i == 0 ? 0 : (uint)firsts[offset + i - 1]; // ".." of a directory in the root is 0, even on FAT32
            byte[] bytes = new byte[layout.DirectoryClusters[offset + i] * boot.ClusterBytes];
            at = 0;
            WriteShort(bytes, ref at, ".          ", 0, FatAttributes.Directory, self, 0, date, time);
            WriteShort(bytes, ref at, "..         ", 0, FatAttributes.Directory, parent, 0, date, time);
            WriteNamed(bytes, ref at, segments[i + 1], ChildAttributes(i + 1), ChildCluster(i + 1), ChildSize(i + 1), date, time);
            volume.Write(ClusterSector(boot, self), bytes);
        }
    }

    private static void WriteNamed(byte[] directory, ref int at, string name, FatAttributes attributes, uint cluster, uint size, ushort date, ushort time)
    {
        (string shortName, byte flags, bool needsLongName) = FatShortName.For(name);
        if (needsLongName)
        {
            byte checksum = new FatDirectoryEntry { ShortName = shortName }.ShortNameChecksum();
            foreach (FatLongNameEntry piece in FatLongNameEntry.Split(name, checksum))
            {
                piece.WriteTo(directory.AsSpan(at));
                at += FatLongNameEntry.Size;
            }
        }

        WriteShort(directory, ref at, shortName, flags, attributes, cluster, size, date, time);
    }

    private static void WriteShort(byte[] directory, ref int at, string shortName, byte flags, FatAttributes attributes, uint cluster, uint size, ushort date, ushort time)
    {
        new FatDirectoryEntry
        {
            ShortName = shortName,
            Attributes = attributes,
            NtFlags = flags,
            CreationTime = time,
            CreationDate = date,
            LastAccessDate = date,
            FirstClusterHigh = (ushort)(cluster >> 16),
            WriteTime = time,
            WriteDate = date,
            FirstClusterLow = (ushort)cluster,
            FileSize = size,
        }.WriteTo(directory.AsSpan(at));
        at += FatDirectoryEntry.Size;
    }

    /// <summary>Both FAT copies, up to the last cluster in use (the rest was discarded to zeros: free).</summary>
    private static void WriteFats(IBlockDevice volume, FatStickLayout layout, long[] firsts)
    {
        FatBootSector boot = layout.BootSector;
        FatType type = boot.Type;
        var ends = new HashSet<long>();
        for (int i = 1; i < firsts.Length; i++)
        {
            ends.Add(firsts[i] - 1);
        }

        ends.Add(firsts[^1] + layout.FileClusters - 1);
        long used = 2 + layout.UsedClusters; // entries 0 … used − 1 are written
        uint endOfChain = type switch { FatType.Fat12 => 0xFFF, FatType.Fat16 => 0xFFFF, _ => 0x0FFFFFFF };
        uint mediaEntry = type switch { FatType.Fat12 => 0xF00u | boot.Media, FatType.Fat16 => 0xFF00u | boot.Media, _ => 0x0FFFFF00u | boot.Media };
        int bits = FatBootSector.EntryBits(type);
        byte[] chunk = new byte[FatChunkEntries * bits / 8];
        for (long start = 0; start < used; start += FatChunkEntries)
        {
            int count = (int)Math.Min(FatChunkEntries, used - start);
            int bytes = (int)(((count * (long)bits) + 7) / 8);
            int whole = (bytes + FatStickLayout.SectorSize - 1) / FatStickLayout.SectorSize * FatStickLayout.SectorSize;
            chunk.AsSpan(0, Math.Min(whole, chunk.Length)).Clear();
            for (int i = 0; i < count; i++)
            {
                long cluster = start + i;
                uint value = cluster == 0 ? mediaEntry : cluster == 1 || ends.Contains(cluster) ? endOfChain : (uint)(cluster + 1);
                SetEntry(chunk, type, i, value);
            }

            long sectorInFat = start * bits / 8 / FatStickLayout.SectorSize;
            for (int copy = 0; copy < boot.NumberOfFats; copy++)
            {
                volume.Write(boot.ReservedSectors + (copy * boot.FatSectors) + sectorInFat, chunk.AsSpan(0, Math.Min(whole, chunk.Length)));
            }
        }
    }

    private static void SetEntry(Span<byte> fat, FatType type, int index, uint value)
    {
        switch (type)
        {
            case FatType.Fat12:
                int at = index + (index / 2);
                ushort word = BinaryPrimitives.ReadUInt16LittleEndian(fat[at..]);
                word = (index & 1) == 0 ? (ushort)((word & 0xF000u) | (value & 0x0FFFu)) : (ushort)((word & 0x000Fu) | (value << 4));
                BinaryPrimitives.WriteUInt16LittleEndian(fat[at..], word);
                break;
            case FatType.Fat16:
                BinaryPrimitives.WriteUInt16LittleEndian(fat[(index * 2)..], (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(fat[(index * 4)..], value);
                break;
        }
    }

    private static long ClusterSector(FatBootSector boot, uint cluster) => boot.FirstDataSector + ((cluster - 2L) * boot.SectorsPerCluster);

    private static void CheckLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.Length > 11 || label.Any(c => c != ' ' && !(char.IsAsciiLetterOrDigit(c) || "!#$%&'()-@^_`{}~".Contains(c))))
        {
            throw new ArgumentException($"volume label '{label}': at most 11 letters, digits, spaces or !#$%&'()-@^_`{{}}~", nameof(label));
        }
    }

    /// <summary>The path's segments, each a name FAT can store as a long name.</summary>
    private static string[] SplitPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Length > MaxPathSegments)
        {
            throw new ArgumentException($"path '{path}': expected 1 to {MaxPathSegments} '/'-separated names", nameof(path));
        }

        foreach (string segment in segments)
        {
            if (segment is "." or ".." || segment.Length > FatLongNameEntry.MaxNameLength || segment.EndsWith('.') || segment.EndsWith(' ')
                || segment.Any(c => c < 0x20 || InvalidNameCharacters.Contains(c)))
            {
                throw new ArgumentException(
                    $"path '{path}': name '{segment}' is not valid on FAT (at most {FatLongNameEntry.MaxNameLength} characters, none of {InvalidNameCharacters[..^1]} or control characters, not ending in '.' or ' ')",
                    nameof(path));
            }
        }

        return segments;
    }
}
