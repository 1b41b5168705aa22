using RecoverySim.BlockDevice.Gpt;
using RecoverySim.BlockDevice.Mbr;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A read-only FAT12/16/32 volume on a USB stick (docs/FORMAT.md, "USB stick (FAT)"): found by
/// <see cref="Mount"/> on a superfloppy, an MBR or a GPT; paths looked up as FAT does (long or
/// 8.3 name, ignoring case); files read through a seekable stream of exactly their size. Every
/// structure read from the stick is bounded before use; damage is a <see cref="FatFormatException"/>
/// naming the file, the cluster and the limit, never a hang or a short read.
/// </summary>
/// <remarks>The volume reads the stick it was mounted on and never owns it: dispose the stick after
/// the volume and the streams opened from it. Not thread safe, like <see cref="IBlockDevice"/>.</remarks>
public sealed class FatVolume : IDisposable
{
    /// <summary>Most 32-byte entries of one directory (fatgen103 section 6: 65,536, i.e. 2 MiB).</summary>
    public const int MaxDirectoryEntries = 65536;

    /// <summary>Most path segments of a lookup (directories nested below the root, plus the file).</summary>
    public const int MaxPathDepth = 64;

    /// <summary>Longest path accepted, in UTF-16 code units.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Bytes a file stream reads ahead for reads smaller than this (larger reads go straight to the device).</summary>
    public const int ReadAheadBytes = 1 << 20;

    private readonly IBlockDevice _device;
    private readonly FatTable _table;
    private readonly List<string> _problems = [];
    private bool _disposed;

    private FatVolume(IBlockDevice device, FatBootSector boot, string location, long firstSector)
    {
        _device = device;
        BootSector = boot;
        Location = location;
        FirstSector = firstSector;
        _table = new FatTable(device, boot);
    }

    /// <summary>The FAT type (by cluster count).</summary>
    public FatType Type => BootSector.Type;

    /// <summary>The volume's boot sector.</summary>
    public FatBootSector BootSector { get; }

    /// <summary>Where the volume was found, for messages: "superfloppy", "MBR partition 1", "GPT partition 1 'recovery'".</summary>
    public string Location { get; }

    /// <summary>The stick sector the volume starts at (0 for a superfloppy).</summary>
    public long FirstSector { get; }

    /// <summary>The boot sector's volume label, trailing spaces removed.</summary>
    public string VolumeLabel => BootSector.VolumeLabel.TrimEnd(' ');

    /// <summary>Damage the reader worked around so far (a FAT copy that was damaged for a chain and the other one used).</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Finds the FAT volume of <paramref name="stick"/>: sector 0 holding a FAT boot sector is a
    /// superfloppy; else a protective MBR (an 0xEE record) means a GPT, read with
    /// <see cref="GptTable.Read"/>, and the first partition (in entry order) holding a valid FAT boot
    /// sector is used; else an MBR, and the first primary partition of a FAT type
    /// (<see cref="MbrPartitionTable.FatTypes"/>) holding a valid FAT boot sector is used.
    /// Partitions must lie inside the stick, and the volume inside its partition.
    /// </summary>
    /// <exception cref="FatFormatException">No FAT volume found, or its boot sector is invalid; the message says what was looked at and why each candidate failed.</exception>
    public static FatVolume Mount(IBlockDevice stick)
    {
        ArgumentNullException.ThrowIfNull(stick);
        byte[] sector = new byte[Math.Max(stick.SectorSize, FatBootSector.Size)];
        stick.Read(0, sector.AsSpan(0, stick.SectorSize));
        string? bootError = BootSectorError(sector);
        if (bootError is null)
        {
            return Open(stick, "superfloppy", 0);
        }

        if (ProtectiveMbr.TryParse(sector, out _))
        {
            return MountGpt(stick);
        }

        MbrPartitionTable mbr;
        try
        {
            mbr = MbrPartitionTable.Parse(sector);
            mbr.CheckFits(stick.SectorCount);
        }
        catch (MbrFormatException e)
        {
            throw new FatFormatException($"no FAT volume on the stick: sector 0 is not a FAT boot sector ({bootError}) nor a partition table ({e.Message})", e);
        }

        var reasons = new List<string>();
        for (int i = 0; i < MbrPartitionTable.EntryCount; i++)
        {
            MbrPartitionEntry entry = mbr.Entries[i];
            if (!entry.IsUsed)
            {
                continue;
            }

            if (!MbrPartitionTable.IsFatType(entry.Type))
            {
                reasons.Add($"partition {i + 1}: type 0x{entry.Type:X2} is not a FAT type");
                continue;
            }

            var partition = new PartitionDevice(stick, entry.FirstLba, entry.SectorCount);
            string? error = PartitionBootSectorError(partition);
            if (error is null)
            {
                return Open(partition, $"MBR partition {i + 1}", entry.FirstLba);
            }

            reasons.Add($"partition {i + 1} (type 0x{entry.Type:X2}): {error}");
        }

        throw new FatFormatException($"no FAT volume in the MBR partitions: {(reasons.Count == 0 ? "the table is empty" : string.Join("; ", reasons))}");
    }

    /// <summary>The file or directory at <paramref name="path"/> ('/' or '\' separated, from the root; names matched ignoring case, long or 8.3); null when absent.</summary>
    /// <exception cref="ArgumentException">The path is longer than <see cref="MaxPathLength"/>, deeper than <see cref="MaxPathDepth"/>, or has a "." or ".." segment.</exception>
    /// <exception cref="FatFormatException">A directory on the way is damaged (bad chain, cycle, oversized).</exception>
    public FatFileInfo? Find(string path) => Lookup(path).Entry;

    /// <summary>The entries of the directory at <paramref name="directoryPath"/> (without "." and ".."), in disk order.</summary>
    /// <exception cref="FatFileNotFoundException">No such directory, or it is a file.</exception>
    /// <exception cref="FatFormatException">The directory or one above it is damaged.</exception>
    public IReadOnlyList<FatFileInfo> List(string directoryPath)
    {
        FatFileInfo directory = Find(directoryPath) ?? throw new FatFileNotFoundException($"{Location}: no directory '{directoryPath}'", directoryPath);
        if (!directory.IsDirectory)
        {
            throw new FatFileNotFoundException($"{Location}: '{directoryPath}' is a file, not a directory", directoryPath);
        }

        return ReadDirectory(directory, []);
    }

    /// <summary>Opens the file at <paramref name="path"/>: a seekable read-only stream whose length is the file's size.</summary>
    /// <exception cref="FatFileNotFoundException">No such file, or it is a directory.</exception>
    /// <exception cref="FatFormatException">The file's cluster chain (or a directory above it) is damaged in every FAT copy, or the copies contradict each other.</exception>
    public Stream OpenRead(string path)
    {
        (FatFileInfo? file, List<ClusterRun[]> directories) = Lookup(path);
        return OpenFile(file ?? throw new FatFileNotFoundException($"{Location}: no file '{path}'", path), directories);
    }

    /// <summary>Opens <paramref name="file"/>, found on this volume by <see cref="Find"/> or <see cref="List"/>.</summary>
    /// <exception cref="FatFileNotFoundException"><paramref name="file"/> is a directory.</exception>
    /// <exception cref="FatFormatException">Its cluster chain is damaged (see <see cref="OpenRead(string)"/>).</exception>
    public Stream OpenRead(FatFileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return OpenFile(file, Lookup(file.Path).Directories);
    }

    /// <summary>Releases the FAT cache. The stick stays open (the caller owns it).</summary>
    public void Dispose()
    {
        _disposed = true;
        _table.ClearCache();
    }

    /// <summary>The entry at <paramref name="path"/> (null when absent) and the chains of the directories read on the way.</summary>
    private (FatFileInfo? Entry, List<ClusterRun[]> Directories) Lookup(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string[] segments = SplitPath(path);
        FatFileInfo current = Root;
        var directories = new List<ClusterRun[]>();
        for (int i = 0; i < segments.Length; i++)
        {
            List<FatFileInfo> entries = ReadDirectory(current, directories);
            FatFileInfo? match = entries.Find(e => NameMatches(e, segments[i]));
            if (match is null || (i < segments.Length - 1 && !match.IsDirectory))
            {
                return (null, directories);
            }

            current = match;
        }

        return (current, directories);
    }

    /// <summary>
    /// The stream of <paramref name="file"/>, whose chain must not share a cluster with the
    /// <paramref name="directories"/> above it (a cross-link): a <see cref="BlockDeviceStream"/> of
    /// the file's size over its <see cref="ClusterChainDevice"/>, behind a read-ahead buffer of
    /// <see cref="ReadAheadBytes"/> for small reads (larger ones go straight through).
    /// </summary>
    private Stream OpenFile(FatFileInfo file, List<ClusterRun[]> directories)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (file.IsDirectory)
        {
            throw new FatFileNotFoundException($"{Location}: '{file.Path}' is a directory, not a file", file.Path);
        }

        if (file.Size == 0)
        {
            return new MemoryStream([], writable: false);
        }

        long needed = (file.Size + BootSector.ClusterBytes - 1) / BootSector.ClusterBytes;
        string what = $"file '{file.Path}'";
        ClusterRun[] runs = FatClusterChain.Resolve(_table, file.FirstCluster, needed, 0, what, _problems);
        CheckDisjoint(runs, directories, what, "of a directory on its path (cross-linked)");
        var chain = new BlockDeviceStream(new ClusterChainDevice(_device, BootSector, runs), 0, file.Size, writable: false, ownsDevice: true);
        return new BufferedStream(chain, ReadAheadBytes);
    }

    private static void CheckDisjoint(ClusterRun[] runs, List<ClusterRun[]> others, string what, string whose)
    {
        foreach (ClusterRun[] other in others)
        {
            foreach (ClusterRun run in runs)
            {
                foreach (ClusterRun taken in other)
                {
                    if (taken.First < run.End && run.First < taken.End)
                    {
                        throw new FatFormatException($"{what}: its clusters from {Math.Max(run.First, taken.First)} are those {whose}");
                    }
                }
            }
        }
    }

    /// <summary>Opens the volume whose boot sector is sector 0 of <paramref name="device"/>.</summary>
    private static FatVolume Open(IBlockDevice device, string location, long firstSector)
    {
        byte[] sector = new byte[Math.Max(device.SectorSize, FatBootSector.Size)];
        device.Read(0, sector.AsSpan(0, device.SectorSize));
        FatBootSector boot;
        try
        {
            boot = FatBootSector.Parse(sector);
        }
        catch (FatFormatException e)
        {
            throw new FatFormatException($"{location}: {e.Message}", e);
        }

        string? error = FitError(boot, device);
        return error is null ? new FatVolume(device, boot, location, firstSector) : throw new FatFormatException($"{location}: {error}");
    }

    private static FatVolume MountGpt(IBlockDevice stick)
    {
        GptReadResult gpt;
        try
        {
            gpt = GptTable.Read(stick);
        }
        catch (GptFormatException e)
        {
            throw new FatFormatException($"the stick has a protective MBR but no valid GPT: {e.Message}", e);
        }

        var reasons = new List<string>();
        IReadOnlyList<GptPartitionEntry> entries = gpt.Table.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            GptPartitionEntry entry = entries[i];
            if (!entry.IsUsed)
            {
                continue;
            }

            // GptTable.Read checked every used entry against the usable range, which is inside the disk.
            var partition = new PartitionDevice(stick, entry.FirstLba, entry.SectorCount);
            string? error = PartitionBootSectorError(partition);
            if (error is null)
            {
                return Open(partition, $"GPT partition {i + 1} '{entry.Name}'", entry.FirstLba);
            }

            string kind = entry.TypeGuid == GptPartitionTypes.MicrosoftBasicData ? "basic data"
                : entry.TypeGuid == GptPartitionTypes.EfiSystem ? "EFI system" : $"type {entry.TypeGuid}";
            reasons.Add($"partition {i + 1} '{entry.Name}' ({kind}): {error}");
        }

        throw new FatFormatException($"no FAT volume in the GPT partitions: {(reasons.Count == 0 ? "the table has no partition" : string.Join("; ", reasons))}");
    }

    /// <summary>Why sector 0 of <paramref name="partition"/> is not a FAT volume that fits it, or null.</summary>
    private static string? PartitionBootSectorError(IBlockDevice partition)
    {
        byte[] sector = new byte[Math.Max(partition.SectorSize, FatBootSector.Size)];
        partition.Read(0, sector.AsSpan(0, partition.SectorSize));
        return BootSectorError(sector);
    }

    private static string? BootSectorError(byte[] sector)
    {
        try
        {
            FatBootSector.Parse(sector);
            return null;
        }
        catch (FatFormatException e)
        {
            return e.Message;
        }
    }

    private static string? FitError(FatBootSector boot, IBlockDevice device)
    {
        if (boot.BytesPerSector < device.SectorSize)
        {
            return $"BPB_BytsPerSec {boot.BytesPerSector} is smaller than the device's {device.SectorSize}-byte sectors";
        }

        long volumeBytes = boot.TotalSectors * boot.BytesPerSector;
        long deviceBytes = device.SectorCount * device.SectorSize;
        return volumeBytes > deviceBytes
            ? $"the volume ({boot.TotalSectors} sectors of {boot.BytesPerSector} bytes) is larger than its {deviceBytes}-byte partition or device"
            : null;
    }

    private FatFileInfo Root => new(string.Empty, string.Empty, "/", 0, true, FatAttributes.Directory, Type == FatType.Fat32 ? BootSector.RootCluster : 0, null);

    private static bool NameMatches(FatFileInfo entry, string segment) =>
        string.Equals(entry.Name, segment, StringComparison.OrdinalIgnoreCase) || string.Equals(entry.ShortName, segment, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The entries of <paramref name="directory"/>. Its chain must not share a cluster with any
    /// directory in <paramref name="ancestors"/> (a cycle), to which its runs are then added.
    /// </summary>
    private List<FatFileInfo> ReadDirectory(FatFileInfo directory, List<ClusterRun[]> ancestors)
    {
        byte[] bytes;
        string what = directory.Path == "/" ? "root directory" : $"directory '{directory.Path}'";
        if (directory.Path == "/" && Type != FatType.Fat32)
        {
            // FAT12/16: a fixed region after the FATs, at most 65,535 entries (2 MiB) by the field's width.
            bytes = new byte[BootSector.RootDirectorySectors * BootSector.BytesPerSector];
            _device.Read(BootSector.RootDirectoryFirstSector * (BootSector.BytesPerSector / _device.SectorSize), bytes);
            ancestors.Add([]);
        }
        else
        {
            if (directory.FirstCluster == 0)
            {
                throw new FatFormatException($"{what}: first cluster 0, which stands for the root: a directory cycle");
            }

            long maxClusters = ((long)MaxDirectoryEntries * FatDirectoryEntry.Size + BootSector.ClusterBytes - 1) / BootSector.ClusterBytes;
            ClusterRun[] runs = FatClusterChain.Resolve(_table, directory.FirstCluster, null, maxClusters, what, _problems);
            CheckDisjoint(runs, ancestors, what, "of a directory above it (a directory cycle)");

            ancestors.Add(runs);
            long total = runs.Sum(r => (long)r.Count) * BootSector.ClusterBytes;
            bytes = new byte[total];
            long offset = 0;
            int perSector = BootSector.BytesPerSector / _device.SectorSize;
            foreach (ClusterRun run in runs)
            {
                int length = (int)(run.Count * (long)BootSector.ClusterBytes);
                long sector = (BootSector.FirstDataSector + ((run.First - 2L) * BootSector.SectorsPerCluster)) * perSector;
                _device.Read(sector, bytes.AsSpan((int)offset, length));
                offset += length;
            }
        }

        return FatDirectoryParser.Parse(bytes, directory.Path, Type);
    }

    private static string[] SplitPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > MaxPathLength)
        {
            throw new ArgumentException($"path of {path.Length} characters, above the limit {MaxPathLength}", nameof(path));
        }

        string[] segments = path.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > MaxPathDepth)
        {
            throw new ArgumentException($"path of {segments.Length} segments, above the limit {MaxPathDepth}", nameof(path));
        }

        if (segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"path '{path}': '.' and '..' segments are not supported", nameof(path));
        }

        return segments;
    }
}
