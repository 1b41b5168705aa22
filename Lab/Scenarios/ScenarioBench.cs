using System.Security.Cryptography;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// What a scenario builds once and every run of it shares, read-only: the keys (derived from their
/// names, so a scenario's images are the same bytes on every machine), the signed releases, the
/// board's fuses, the freshly formatted and factory-flashed disk and RPMB, the factory
/// <c>userdata</c> hash, and the bench's TFTP root with each release as a golden image. A campaign
/// builds one bench and rebuilds thousands of crash states over it.
/// </summary>
public sealed class ScenarioBench
{
    private readonly Dictionary<string, byte[]> _images = [];
    private readonly Dictionary<string, SigningKey> _keys = [];
    private readonly Dictionary<string, MemoryBlockDevice> _sticks = [];
    private readonly Dictionary<(string From, string To), Task<byte[]>> _deltas = [];

    private ScenarioBench(Scenario scenario, string tftpRoot)
    {
        Scenario = scenario;
        TftpRoot = tftpRoot;
        foreach (ScenarioKey key in scenario.Keys)
        {
            _keys[key.Name] = KeyFor(key.Name);
        }

        Config = new BoardConfig
        {
            BoardId = scenario.Board.BoardId,
            Profile = scenario.Board.Profile,
            TrustedKeys = scenario.Keys.Where(k => k.Trusted).Select(k => new TrustedKey(_keys[k.Name].KeyId.ToString(), _keys[k.Name].PublicKey.ToPem())).ToArray(),
            Limits = scenario.Board.Limits,
        };
        long partitioned = Board.DiskBytes(scenario.Board.Profile, scenario.Board.Sizes);
        if (scenario.Steps.Any(s => s is OtaStep))
        {
            // The download area: free space after the last partition (before the backup GPT), 1 MiB aligned.
            long slot = BoardLayout.SlotPartitionKinds.Sum(k => scenario.Board.Sizes.Of(k));
            long area = Recovery.Updates.DownloadArea.CapacityFor(slot) + Recovery.Updates.DownloadArea.DataOffset;
            DownloadAreaBytes = (area + (1 << 20) - 1) / (1 << 20) * (1 << 20);
            DownloadAreaOffset = partitioned - (1 << 20);
        }

        Disk = new MemoryBlockDevice((partitioned + DownloadAreaBytes) / Board.SectorSize);
        Rpmb = new MemoryBlockDevice(RpmbStoreSectors);
    }

    private const long RpmbStoreSectors = Bootloader.Rpmb.RpmbStore.DeviceSize / Board.SectorSize;

    /// <summary>The scenario.</summary>
    public Scenario Scenario { get; }

    /// <summary>
    /// Where the update agent's download area lies on the disk, in bytes: after the last partition,
    /// before the backup GPT, so that one write log orders its writes with the install's (a real
    /// board keeps it in a cache or data partition). 0 bytes when the scenario has no <c>ota</c> step.
    /// </summary>
    public long DownloadAreaOffset { get; }

    /// <summary>Bytes of the download area (0 without <c>ota</c> steps).</summary>
    public long DownloadAreaBytes { get; }

    /// <summary>The key that signs the bench update server's indexes: the first trusted key of the scenario.</summary>
    public SigningKey IndexKey => _keys[Scenario.Keys.First(k => k.Trusted).Name];

    /// <summary>The board's fuses.</summary>
    public BoardConfig Config { get; }

    /// <summary>The disk after format, userdata fill and factory flash: the base every run starts from (never written after <see cref="BuildAsync"/>).</summary>
    public MemoryBlockDevice Disk { get; }

    /// <summary>The RPMB after format (never written after <see cref="BuildAsync"/>).</summary>
    public MemoryBlockDevice Rpmb { get; }

    /// <summary>SHA-256 of <c>userdata</c> as the factory left it.</summary>
    public string FactoryUserdata { get; private set; } = "";

    /// <summary>The directory the bench's TFTP server serves: <c>NAME.rsim</c> per release.</summary>
    public string TftpRoot { get; }

    /// <summary>The golden image of release <paramref name="name"/>.</summary>
    public byte[] Image(string name) => _images[name];

    /// <summary>The file name of release <paramref name="name"/> in <see cref="TftpRoot"/>.</summary>
    public static string TftpFile(string name) => name + ".rsim";

    /// <summary>
    /// Builds the bench of <paramref name="scenario"/>: every release signed, written to
    /// <paramref name="tftpRoot"/> (created if missing), the board formatted with seeded GUIDs,
    /// userdata filled with seeded bytes, the <c>flash</c> release factory-flashed into every slot.
    /// </summary>
    public static async Task<ScenarioBench> BuildAsync(Scenario scenario, string tftpRoot, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(tftpRoot);
        var bench = new ScenarioBench(scenario, tftpRoot);
        Directory.CreateDirectory(tftpRoot);
        foreach (ScenarioRelease release in scenario.Releases)
        {
            byte[] image = await bench.BuildReleaseAsync(release, cancel).ConfigureAwait(false);
            bench._images[release.Name] = image;
            using BlockDevice.Files.AtomicFile file = BlockDevice.Files.AtomicFile.Create(Path.Combine(tftpRoot, TftpFile(release.Name)));
            await file.Stream.WriteAsync(image, cancel).ConfigureAwait(false);
            file.Commit();
        }

        var guids = new SeededRandom(0x6c6162);
        Board.Format(bench.Disk, bench.Rpmb, scenario.Board.Profile, scenario.Board.Sizes, scenario.Board.Limits, () =>
        {
            Span<byte> bytes = stackalloc byte[16];
            guids.NextBytes(bytes);
            return new Guid(bytes);
        });
        using (Board board = bench.Open(bench.Disk, bench.Rpmb))
        {
            using var user = new BlockDeviceStream(board.Partition(BoardLayout.Userdata));
            byte[] files = new byte[user.Length];
            new SeededRandom(0x75736572).NextBytes(files);
            user.Write(files);
            user.Flush();
            byte[] golden = bench.Image(scenario.Flash);
            await FactoryFlash.FlashAsync(board, () => new MemoryStream(golden, writable: false), cancel).ConfigureAwait(false);
            bench.FactoryUserdata = UserdataHash(board);
        }

        return bench;
    }

    /// <summary>The board over <paramref name="disk"/> and <paramref name="rpmb"/> (the caller's devices; the board does not own them).</summary>
    public Board Open(IBlockDevice disk, IBlockDevice rpmb) => Board.FromDevices(Config, disk, rpmb);

    /// <summary>SHA-256 of the board's <c>userdata</c>.</summary>
    public static string UserdataHash(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        using var stream = new BlockDeviceStream(board.Partition(BoardLayout.Userdata), writable: false);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A USB stick (FAT32 on MBR, as <c>usb create</c> makes) holding release <paramref name="name"/> at the well-known path; made once, shared read-only.</summary>
    public IBlockDevice Stick(string name)
    {
        lock (_sticks)
        {
            if (!_sticks.TryGetValue(name, out MemoryBlockDevice? stick))
            {
                stick = MakeStick(Image(name));
                _sticks[name] = stick;
            }

            return stick;
        }
    }

    private static MemoryBlockDevice MakeStick(byte[] image)
    {
        FatStickLayout layout = FatFormatter.Plan(image.Length, new FatFormatOptions());
        var stick = new MemoryBlockDevice(layout.StickSectors);
        using var content = new MemoryStream(image, writable: false);
        FatFormatter.Write(stick, layout, content);
        return stick;
    }

    /// <summary>
    /// The delta package from release <paramref name="from"/> to <paramref name="to"/> (BSDIFF40
    /// patches or full members, whichever is smaller per partition), signed with the target's key;
    /// made once, shared read-only.
    /// </summary>
    public Task<byte[]> DeltaAsync(string from, string to)
    {
        lock (_deltas)
        {
            if (!_deltas.TryGetValue((from, to), out Task<byte[]>? delta))
            {
                delta = BuildDeltaAsync(from, to);
                _deltas[(from, to)] = delta;
            }

            return delta;
        }
    }

    private async Task<byte[]> BuildDeltaAsync(string from, string to)
    {
        byte[] source = Image(from), target = Image(to);
        SigningKey key = _keys[Scenario.Release(to).Key];
        var output = new MemoryStream();
        await GoldenImage.Delta.DeltaPackageWriter.WriteAsync(new GoldenImage.Delta.DeltaPackageBuildOptions
        {
            Key = key,
            OpenSource = () => new MemoryStream(source, writable: false),
            OpenTarget = () => new MemoryStream(target, writable: false),
            TrustedKeys = new TrustedKeySet(_keys.Values.Select(k => k.PublicKey)),
            MaxParallelism = 1,
        }, output).ConfigureAwait(false);
        return output.ToArray();
    }

    /// <summary>Whether the release with id <paramref name="releaseId"/> is one the board may run: signed by a trusted key for this board.</summary>
    public bool IsValidRelease(string releaseId)
    {
        ScenarioRelease? release = Scenario.Releases.FirstOrDefault(r => r.ReleaseId == releaseId);
        return release is not null && release.BoardId == Config.BoardId && Scenario.Keys.First(k => k.Name == release.Key).Trusted;
    }

    /// <summary>The scenario name of the release with id <paramref name="releaseId"/>, or the id itself when it is none of them.</summary>
    public string ReleaseName(string? releaseId) => Scenario.Releases.FirstOrDefault(r => r.ReleaseId == releaseId)?.Name ?? releaseId ?? "";

    /// <summary>The key named <paramref name="name"/>: Ed25519 from a seed derived from the name, so every build signs with the same key.</summary>
    public static SigningKey KeyFor(string name) => SigningKey.Derive(SignatureAlgorithm.Ed25519, "recoverysim-lab-key:" + name);

    private async Task<byte[]> BuildReleaseAsync(ScenarioRelease release, CancellationToken cancel)
    {
        var random = new SeededRandom(release.Seed);
        GoldenImagePartitionSource Part(string kind)
        {
            byte[] bytes = new byte[release.PayloadBytes(kind)];
            random.NextBytes(bytes);
            return new GoldenImagePartitionSource(kind, () => new MemoryStream(bytes, writable: false));
        }

        GoldenImagePartitionSource[] partitions = [Part("boot"), Part("system"), Part("vendor")];
        var output = new MemoryStream();
        await GoldenImageWriter.WriteAsync(new GoldenImageBuildOptions
        {
            Key = _keys[release.Key],
            BoardIds = [release.BoardId],
            ReleaseId = release.ReleaseId,
            Version = release.Version,
            RollbackIndex = release.RollbackIndex,
            Compression = release.Zstd ? PartitionCompression.Zstd : PartitionCompression.None,
            MaxParallelism = 1,
            Partitions = partitions,
        }, output, null, cancel).ConfigureAwait(false);
        return output.ToArray();
    }
}
