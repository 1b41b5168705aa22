using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Files;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// A simulated board (DESIGN.md "The board"): its storage (<c>disk.img</c> with a GPT), its
/// replay-protected store (<c>rpmb.bin</c>) and its fuses (<c>board.json</c>). Opening checks
/// everything before anything is written, so bad input changes nothing.
/// </summary>
public sealed class Board : IDisposable
{
    /// <summary>The fuses file.</summary>
    public const string ConfigFile = "board.json";

    /// <summary>The storage image.</summary>
    public const string DiskFile = "disk.img";

    /// <summary>The replay-protected store.</summary>
    public const string RpmbFile = "rpmb.bin";

    /// <summary>Sector size of <c>disk.img</c> (eMMC user area).</summary>
    public const int SectorSize = 512;

    private const long Alignment = GptTable.AlignmentBytes;

    private readonly Dictionary<string, PartitionDevice> _partitions;
    private readonly bool _ownsDevices;

    private Board(BoardConfig config, string? directory, IBlockDevice disk, IBlockDevice rpmb, GptReadResult gpt, bool ownsDevices)
    {
        Config = config;
        Directory = directory;
        Disk = disk;
        RpmbDevice = rpmb;
        Gpt = gpt;
        _ownsDevices = ownsDevices;
        _partitions = new Dictionary<string, PartitionDevice>(StringComparer.Ordinal);
        foreach (string name in BoardLayout.Partitions(config.Profile))
        {
            GptPartitionEntry entry = gpt.Table.Find(name)
                ?? throw new BoardException($"{DiskFile}: the GPT has no partition '{name}' (profile {BoardLayout.ProfileName(config.Profile)} needs {string.Join(", ", BoardLayout.Partitions(config.Profile))})");
            if (entry.LastLba >= disk.SectorCount)
            {
                throw new BoardException($"{DiskFile}: {disk.SectorCount * (long)disk.SectorSize} bytes, too small for partition '{name}', which ends at byte {(entry.LastLba + 1) * disk.SectorSize}");
            }

            long bytes = entry.SectorCount * disk.SectorSize;
            long minimum = name == BoardLayout.Misc ? MiscLayout.MinimumSize : PartitionSizes.MinimumPartition;
            if (bytes < minimum)
            {
                throw new BoardException($"{DiskFile}: partition '{name}' holds {bytes} bytes; at least {minimum} expected");
            }

            _partitions[name] = new PartitionDevice(disk, entry.FirstLba, entry.SectorCount);
        }

        Control = new BootControlStore(_partitions[BoardLayout.Misc]);
        Rpmb = new RpmbStore(rpmb);
    }

    /// <summary>The fuses and settings.</summary>
    public BoardConfig Config { get; }

    /// <summary>The board directory, or null for a board over devices in memory.</summary>
    public string? Directory { get; }

    /// <summary>
    /// Opens another read-only handle on the same storage, for verifying a slot's partitions in
    /// parallel (devices are single-caller); null when the board was made over caller-given
    /// devices, which are never bypassed (a fault-injecting device sees every read).
    /// </summary>
    internal Func<IBlockDevice>? ParallelReader { get; private init; }

    /// <summary>The whole storage device.</summary>
    public IBlockDevice Disk { get; }

    /// <summary>The replay-protected store's device.</summary>
    public IBlockDevice RpmbDevice { get; }

    /// <summary>The GPT as read, with any damage found.</summary>
    public GptReadResult Gpt { get; }

    /// <summary>The boot control block in <c>misc</c>.</summary>
    public BootControlStore Control { get; }

    /// <summary>The rollback-index counters.</summary>
    public RpmbStore Rpmb { get; }

    /// <summary>The profile's partition names, in disk order.</summary>
    public IReadOnlyList<string> PartitionNames => BoardLayout.Partitions(Config.Profile);

    /// <summary>The device of partition <paramref name="name"/>.</summary>
    public IBlockDevice Partition(string name) =>
        _partitions.TryGetValue(name, out PartitionDevice? device) ? device
            : throw new BoardException($"no partition '{name}' on this {BoardLayout.ProfileName(Config.Profile)} board (partitions: {string.Join(", ", PartitionNames)})");

    /// <summary>The GPT entry of partition <paramref name="name"/>.</summary>
    public GptPartitionEntry PartitionEntry(string name) =>
        Gpt.Table.Find(name) ?? throw new BoardException($"no partition '{name}' in the GPT");

    /// <summary>The keys of board.json as a trusted set.</summary>
    public TrustedKeySet TrustedKeys()
    {
        var keys = new List<VerificationKey>();
        foreach (TrustedKey key in Config.TrustedKeys)
        {
            VerificationKey parsed;
            try
            {
                parsed = VerificationKey.FromPem(key.PublicKeyPem, $"{ConfigFile} key {key.KeyId}");
            }
            catch (ImageException e)
            {
                throw new BoardException($"{ConfigFile}: field 'trusted_keys': key {key.KeyId}: {e.Message}", e);
            }

            if (parsed.KeyId.ToString() != key.KeyId)
            {
                throw new BoardException($"{ConfigFile}: field 'trusted_keys': key id {key.KeyId} does not match its public key (id {parsed.KeyId})");
            }

            keys.Add(parsed);
        }

        return new TrustedKeySet(keys);
    }

    /// <summary>A verifier of this board's slot partitions against its fuses.</summary>
    public BoardPartitionVerifier Verifier() => new(this, TrustedKeys());

    /// <summary>The boot flow of this board.</summary>
    public BootFlow BootFlow(TimeProvider time) =>
        new(Control, Rpmb, Config.Profile, Config.Limits, Verifier(), time);

    /// <summary>
    /// Opens the board in <paramref name="directory"/>: reads and validates board.json, opens
    /// disk.img and rpmb.bin, reads the GPT and finds every partition of the profile. Throws
    /// <see cref="BoardException"/> naming the first problem; nothing is written. With
    /// <paramref name="parallelVerification"/>, a slot's partitions are verified concurrently,
    /// each through its own read-only handle on disk.img. With <paramref name="diskDecorator"/>, the
    /// board's storage is that device over disk.img (a fault-injecting one that can cut power), which
    /// the board then owns and which sees every read (no parallel handles).
    /// </summary>
    public static Board Open(string directory, bool writable = true, bool parallelVerification = true, Func<IBlockDevice, IBlockDevice>? diskDecorator = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new BoardException($"{directory}: no such board directory");
        }

        BoardConfig config = BoardConfig.Load(Path.Combine(directory, ConfigFile));
        string diskPath = Path.Combine(directory, DiskFile);
        string rpmbPath = Path.Combine(directory, RpmbFile);
        if (!File.Exists(diskPath))
        {
            throw new BoardException($"{diskPath}: not found (the board's storage)");
        }

        if (!File.Exists(rpmbPath))
        {
            throw new BoardException($"{rpmbPath}: not found (the board's replay-protected store)");
        }

        FileBlockDevice? disk = null;
        FileBlockDevice? rpmb = null;
        try
        {
            long diskBytes = new FileInfo(diskPath).Length;
            if (diskBytes < 3 * Alignment || diskBytes % SectorSize != 0)
            {
                throw new BoardException($"{diskPath}: {diskBytes} bytes; a board disk is a whole number of {SectorSize}-byte sectors and at least {3 * Alignment} bytes");
            }

            long rpmbBytes = new FileInfo(rpmbPath).Length;
            if (rpmbBytes != RpmbStore.DeviceSize)
            {
                throw new BoardException($"{rpmbPath}: {rpmbBytes} bytes, expected {RpmbStore.DeviceSize}");
            }

            disk = FileBlockDevice.Open(diskPath, SectorSize, writable);
            rpmb = FileBlockDevice.Open(rpmbPath, SectorSize, writable);
            int sectorSize = disk.SectorSize;
            IBlockDevice storage = diskDecorator is null ? disk : diskDecorator(disk);
            var board = new Board(config, directory, storage, rpmb, ReadGpt(storage), ownsDevices: true)
            {
                ParallelReader = parallelVerification && diskDecorator is null ? () => FileBlockDevice.Open(diskPath, sectorSize, writable: false) : null,
            };
            disk = null;
            rpmb = null;
            return board;
        }
        finally
        {
            disk?.Dispose();
            rpmb?.Dispose();
        }
    }

    /// <summary>
    /// A board over devices the caller provides (memory, fault-injecting): used by tests and
    /// power-cut campaigns. The devices stay the caller's unless <paramref name="ownsDevices"/>.
    /// </summary>
    public static Board FromDevices(BoardConfig config, IBlockDevice disk, IBlockDevice rpmb, string? directory = null, bool ownsDevices = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(rpmb);
        config.Validate();
        return new Board(config, directory, disk, rpmb, ReadGpt(disk), ownsDevices);
    }

    private static GptReadResult ReadGpt(IBlockDevice disk)
    {
        try
        {
            return GptTable.Read(disk);
        }
        catch (GptFormatException e)
        {
            throw new BoardException($"{DiskFile}: no valid GPT ({e.Message})", e);
        }
    }

    /// <summary>The disk size <see cref="Format"/> makes for <paramref name="sizes"/>: every partition on a 1 MiB boundary, plus room for both GPT copies.</summary>
    public static long DiskBytes(BoardProfile profile, PartitionSizes sizes)
    {
        long total = Alignment; // protective MBR, primary GPT, alignment of the first partition
        foreach (string name in BoardLayout.Partitions(profile))
        {
            long size = sizes.Of(BoardLayout.KindOf(name));
            total += (size + Alignment - 1) / Alignment * Alignment;
        }

        return total + Alignment; // backup GPT at the end
    }

    /// <summary>
    /// Writes a new board's storage onto <paramref name="disk"/> and <paramref name="rpmb"/>:
    /// the GPT with the profile's partitions, the factory boot control block (both copies) and
    /// RPMB counters at 0. <paramref name="disk"/> must be at least <see cref="DiskBytes"/>.
    /// </summary>
    public static void Format(IBlockDevice disk, IBlockDevice rpmb, BoardProfile profile, PartitionSizes sizes, BootLimits limits, Func<Guid>? newGuid = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(rpmb);
        sizes.Validate();
        limits.Validate();
        var specs = new List<GptPartitionSpec>();
        foreach (string name in BoardLayout.Partitions(profile))
        {
            string kind = BoardLayout.KindOf(name);
            specs.Add(new GptPartitionSpec(name, sizes.Of(kind), TypeOf(kind)));
        }

        GptTable table = GptTable.Create(disk.SectorSize, disk.SectorCount, specs, newGuid);
        table.Write(disk);
        PartitionDevice misc = table.OpenPartition(disk, BoardLayout.Misc);
        new BootControlStore(misc).Initialize(BootControlBlock.Factory(limits.MaxTries));
        new RpmbStore(rpmb).Format();
    }

    /// <summary>
    /// Creates a board directory: disk.img (sparse), rpmb.bin, then board.json last, so a
    /// directory with board.json is a complete board. The directory must not exist or be empty;
    /// on any failure what was created is removed.
    /// </summary>
    public static void Create(string directory, BoardConfig config, PartitionSizes sizes, Func<Guid>? newGuid = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        sizes.Validate();
        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new BoardException($"{directory}: exists and is not empty (a new board needs a new or empty directory)");
        }

        if (File.Exists(directory))
        {
            throw new BoardException($"{directory}: is a file, not a directory");
        }

        bool createdDirectory = !System.IO.Directory.Exists(directory);
        System.IO.Directory.CreateDirectory(directory);
        string diskPath = Path.Combine(directory, DiskFile);
        string rpmbPath = Path.Combine(directory, RpmbFile);
        string configPath = Path.Combine(directory, ConfigFile);
        try
        {
            using (FileBlockDevice disk = FileBlockDevice.Create(diskPath, DiskBytes(config.Profile, sizes) / SectorSize, SectorSize))
            using (FileBlockDevice rpmb = FileBlockDevice.Create(rpmbPath, RpmbStore.DeviceSize / SectorSize, SectorSize))
            {
                Format(disk, rpmb, config.Profile, sizes, config.Limits, newGuid);
            }

            // Last, and atomically: a directory with board.json is a complete board.
            using AtomicFile file = AtomicFile.Create(configPath, overwrite: false);
            file.Stream.Write(config.ToJsonBytes());
            file.Commit();
        }
        catch
        {
            foreach (string path in new[] { diskPath, rpmbPath, configPath })
            {
                File.Delete(path);
            }

            if (createdDirectory)
            {
                System.IO.Directory.Delete(directory);
            }

            throw;
        }
    }

    /// <summary>Releases the devices the board opened.</summary>
    public void Dispose()
    {
        if (_ownsDevices)
        {
            Disk.Dispose();
            RpmbDevice.Dispose();
        }
    }

    private static Guid TypeOf(string kind) => kind switch
    {
        BoardLayout.Misc => GptPartitionTypes.AndroidMisc,
        "boot" => GptPartitionTypes.AndroidBoot,
        "system" => GptPartitionTypes.AndroidSystem,
        "vendor" => GptPartitionTypes.AndroidVendor,
        _ => GptPartitionTypes.AndroidUserData,
    };
}
