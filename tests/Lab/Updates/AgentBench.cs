using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Time;
using RecoverySim.Lab.Updates;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Updates;
using RecoverySim.Testing;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// An A/B board in memory running release r1, an update server on 127.0.0.1 over a root that offers
/// r2 (full, and a delta from r1), and an agent over both with a simulated clock. Releases are
/// seeded: r2 changes a few bytes of r1's system and adds to its vendor, so the delta is small.
/// </summary>
internal sealed class AgentBench : IAsyncDisposable
{
    public const string Board = UpdateRoot.Board;

    public static readonly PartitionSizes Sizes = new(1 << 20, 128 << 10, 256 << 10, 128 << 10, 64 << 10);

    public static readonly SigningKey OtherKey = SigningKey.Derive(SignatureAlgorithm.Ed25519, "agent-bench unknown");

    private readonly byte[] _userdata;

    private AgentBench(UpdateRoot root, BoardConfig config, MemoryBlockDevice disk, MemoryBlockDevice rpmb, MemoryBlockDevice area, SimulatedClock clock)
    {
        Root = root;
        Config = config;
        Disk = disk;
        Rpmb = rpmb;
        AreaDevice = area;
        Clock = clock;
        using Bootloader.Boards.Board board = Open();
        _userdata = ReadPartition(board, BoardLayout.Userdata);
    }

    public UpdateRoot Root { get; }

    public BoardConfig Config { get; set; }

    public MemoryBlockDevice Disk { get; }

    public MemoryBlockDevice Rpmb { get; }

    public MemoryBlockDevice AreaDevice { get; }

    public SimulatedClock Clock { get; }

    public MemoryUpdateStateStore State { get; } = new();

    public OsHealth Health { get; set; } = OsHealth.Healthy;

    /// <summary>How many power-ons of a reboot run with <see cref="Health"/> before the OS turns healthy (all of them when null).</summary>
    public int? UnhealthyPowerOns { get; set; }

    public List<string> Events { get; } = [];

    public static byte[] Payload(int seed, int length)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Release <c>rN</c>: version N.0, rollback index <paramref name="rollbackIndex"/>, payloads from seed 1 with release-specific edits.</summary>
    public static Task<byte[]> ReleaseAsync(int n, ulong rollbackIndex, SigningKey? key = null, string board = Board) =>
        Built.GetOrAdd($"release {n} {rollbackIndex} {key?.KeyId} {board}", _ => BuildReleaseAsync(n, rollbackIndex, key, board));

    // Releases are seeded, so one build serves every test (the power-cut test makes a bench per cut).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<byte[]>> Built = new();

    private static async Task<byte[]> BuildReleaseAsync(int n, ulong rollbackIndex, SigningKey? key, string board)
    {
        byte[] boot = Payload(1, 60_000), system = Payload(2, 200_000), vendor = Payload(3, 50_000 + (n * 1000));
        for (int i = 0; i < n * 8; i++)
        {
            system[(i * 24_999) % system.Length] ^= (byte)(n + i);
        }

        boot[100] = (byte)n;
        var options = new GoldenImageBuildOptions
        {
            Key = key ?? UpdateRoot.ReleaseKey,
            BoardIds = [board],
            ReleaseId = $"rel-r{n}",
            Version = $"{n}.0",
            RollbackIndex = rollbackIndex,
            Partitions = [new("boot", () => new MemoryStream(boot, false)), new("system", () => new MemoryStream(system, false)), new("vendor", () => new MemoryStream(vendor, false))],
            MaxParallelism = 1,
        };
        using var output = new MemoryStream();
        await GoldenImageWriter.WriteAsync(options, output);
        return output.ToArray();
    }

    public static Task<byte[]> DeltaAsync(byte[] from, byte[] to, SigningKey? key = null) =>
        Built.GetOrAdd($"delta {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(from))} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(to))} {key?.KeyId}",
            _ => BuildDeltaAsync(from, to, key));

    private static async Task<byte[]> BuildDeltaAsync(byte[] from, byte[] to, SigningKey? key)
    {
        using var output = new MemoryStream();
        await DeltaPackageWriter.WriteAsync(new DeltaPackageBuildOptions
        {
            Key = key ?? UpdateRoot.ReleaseKey,
            OpenSource = () => new MemoryStream(from, false),
            OpenTarget = () => new MemoryStream(to, false),
            TrustedKeys = new TrustedKeySet(UpdateRoot.ReleaseKey.PublicKey, OtherKey.PublicKey),
            MaxParallelism = 1,
        }, output);
        return output.ToArray();
    }

    /// <summary>A board running r1 (rollback index 1) and a root offering r2 full and r1 to r2 delta; the server is started unless told not to.</summary>
    public static async Task<AgentBench> CreateAsync(bool start = true, bool delta = true, Func<string, Task>? populate = null, UpdatePolicy? policy = null, TimeProvider? serverTime = null, TrustedKeySet? packageKeys = null)
    {
        var root = new UpdateRoot();
        byte[] r1 = await ReleaseAsync(1, 1), r2 = await ReleaseAsync(2, 2);
        await File.WriteAllBytesAsync(Path.Join(root.ChannelDirectory, "r2.rsim"), r2);
        if (delta)
        {
            await File.WriteAllBytesAsync(Path.Join(root.ChannelDirectory, "r1-to-r2.rsim"), await DeltaAsync(r1, r2));
        }

        if (populate is not null)
        {
            await populate(root.ChannelDirectory);
        }
        var clock = new SimulatedClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        if (start)
        {
            await root.StartAsync(serverTime ?? clock, packageKeys: packageKeys);
        }

        var config = new BoardConfig
        {
            BoardId = Board,
            Profile = BoardProfile.Ab,
            TrustedKeys = [.. new[] { UpdateRoot.ReleaseKey, UpdateRoot.IndexKey }.Select(k => new TrustedKey(k.KeyId.ToString(), k.PublicKey.ToPem()))],
            Update = (policy ?? UpdatePolicy.Default) with { DeviceId = "dev-1" },
        };
        var disk = new MemoryBlockDevice(Bootloader.Boards.Board.DiskBytes(BoardProfile.Ab, Sizes) / 512);
        var rpmb = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        Bootloader.Boards.Board.Format(disk, rpmb, BoardProfile.Ab, Sizes, config.Limits, SeededGuids.From(7));
        using (Bootloader.Boards.Board board = Bootloader.Boards.Board.FromDevices(config, disk, rpmb))
        {
            await FactoryFlash.FlashAsync(board, () => new MemoryStream(r1, false));
            using var user = new BlockDeviceStream(board.Partition(BoardLayout.Userdata));
            user.Write(Payload(99, 64 << 10));
            user.Flush();
        }

        var bench = new AgentBench(root, config, disk, rpmb, new MemoryBlockDevice(2048), clock);
        await bench.RebootAsync(CancellationToken.None); // r1 boots and is marked successful
        return bench;
    }

    public Bootloader.Boards.Board Open(IBlockDevice? disk = null, IBlockDevice? rpmb = null) => Bootloader.Boards.Board.FromDevices(Config, disk ?? Disk, rpmb ?? Rpmb);

    /// <summary>An agent over the board, as the command line makes one; the HTTP client is the root's unless given.</summary>
    public UpdateAgent Agent(Bootloader.Boards.Board board, HttpClient? http = null, IBlockDevice? area = null, TimeProvider? transferTime = null, Func<CancellationToken, Task>? reboot = null) =>
        new(board, new DownloadArea(area ?? AreaDevice), State, http ?? Root.Http, new UpdateAgentOptions
        {
            Clock = Clock,
            TransferTime = transferTime,
            Reboot = reboot ?? RebootAsync,
            Settings = () => Config,
            Server = Root.Server?.BaseAddress ?? new Uri("http://127.0.0.1:9/"),
            Observer = e => Events.Add(e.Kind.Name),
            DurableInterval = 1 << 20,
            DownloadDurableInterval = 64 << 10,
        });

    public Task<UpdateCheckResult> CheckAsync(bool approve = false) => CheckAsync(null, approve);

    /// <summary>One check of an agent over the board, talking through <paramref name="http"/> (the root's client when null).</summary>
    public async Task<UpdateCheckResult> CheckAsync(HttpClient? http, bool approve = false)
    {
        using Bootloader.Boards.Board board = Open();
        return await Agent(board, http).CheckAsync(approve);
    }

    /// <summary>Powers the board on until it settles, the OS behaving as <see cref="Health"/> for <see cref="UnhealthyPowerOns"/> power-ons.</summary>
    public async Task RebootAsync(CancellationToken cancel)
    {
        for (int i = 0; i < 12; i++)
        {
            using Bootloader.Boards.Board board = Open();
            OsHealth health = UnhealthyPowerOns is int n && i >= n ? OsHealth.Healthy : Health;
            PowerOnResult result = await new PowerOnSequence(board, [], Clock).RunAsync(health, cancel);
            Clock.Advance(TimeSpan.FromSeconds(10));
            if (result.LastBoot.MarkedSuccessful || result.Outcome == Bootloader.Boot.BootOutcome.Bricked)
            {
                return;
            }
        }
    }

    /// <summary>The release the board runs now (the slot the boot flow would choose), by its scenario name (<c>r1</c>).</summary>
    public string? RunningRelease()
    {
        using Bootloader.Boards.Board board = Open();
        Bootloader.Control.BootControlBlock control = board.Control.Read().Block ?? throw new InvalidOperationException("no boot control block");
        var slot = Bootloader.Control.AbRules.Choose(control, BoardLayout.Slots(BoardProfile.Ab));
        return slot is { } s ? board.Verifier().SignedRelease(s)?.Replace("rel-", "", StringComparison.Ordinal) : null;
    }

    public bool UserdataIntact()
    {
        using Bootloader.Boards.Board board = Open();
        return ReadPartition(board, BoardLayout.Userdata).AsSpan().SequenceEqual(_userdata);
    }

    public static byte[] ReadPartition(Bootloader.Boards.Board board, string name)
    {
        using var stream = new BlockDeviceStream(board.Partition(name), writable: false);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync() => await Root.DisposeAsync();
}
