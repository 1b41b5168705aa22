using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Files;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Tftp;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// A lab bench (DESIGN.md "Command line", <c>bench create</c>; docs/FORMAT.md "Bench directory"): a
/// directory of boards that share one signing key and one TFTP root holding their signed golden
/// image, described by <c>bench.json</c>. Every board is a normal board directory
/// (<see cref="Board.Create"/>), A/B, factory-flashed, recovering over TFTP from the bench's server.
/// </summary>
public sealed class Bench
{
    /// <summary>The bench's description, written last.</summary>
    public const string ConfigFile = "bench.json";

    /// <summary>The folder of the signing key pair (<c>private.pem</c>, <c>public.pem</c>).</summary>
    public const string KeysDirectory = "keys";

    /// <summary>The TFTP server's root.</summary>
    public const string TftpDirectory = "tftp";

    /// <summary>The partition sizes of a bench board: small, so that a bench of many boards stays light (sparse files).</summary>
    public static PartitionSizes BoardSizes { get; } = new(1 << 20, 1 << 20, 4 << 20, 2 << 20, 1 << 20);

    private Bench(string directory, BenchConfig config)
    {
        Directory = directory;
        Config = config;
    }

    /// <summary>The bench directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>bench.json as read.</summary>
    public BenchConfig Config { get; }

    /// <summary>The TFTP server's root directory.</summary>
    public string TftpRoot => Path.Combine(Directory, TftpDirectory);

    /// <summary>The golden image the TFTP server serves.</summary>
    public string GoldenImagePath => Path.Combine(TftpRoot, Config.TftpFile);

    /// <summary>The board names, in order.</summary>
    public IReadOnlyList<string> Boards => Config.Boards;

    /// <summary>True when <paramref name="name"/> is a board of this bench.</summary>
    public bool HasBoard(string name) => Config.Boards.Contains(name, StringComparer.Ordinal);

    /// <summary>The directory of board <paramref name="name"/>; a <see cref="BenchException"/> naming the bench's boards when there is none.</summary>
    public string BoardDirectory(string name) => HasBoard(name) ? Path.Combine(Directory, name)
        : throw new BenchException($"no board '{name}' on this bench (boards: {string.Join(", ", Config.Boards)})");

    /// <summary>The options of the bench's TFTP server: read-only, the bench's root, on bench.json's address and <paramref name="port"/> (bench.json's when null; 0 picks a free one).</summary>
    public TftpServerOptions TftpServerOptions(int? port = null) => new()
    {
        Root = TftpRoot,
        EndPoint = new System.Net.IPEndPoint(Config.TftpAddress, port ?? Config.TftpPort),
    };

    /// <summary>Opens the bench in <paramref name="directory"/>: reads bench.json and checks that every board directory and the golden image exist. Nothing is written.</summary>
    /// <exception cref="BenchException">The directory, bench.json, a board or the golden image is missing or bad.</exception>
    public static Bench Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new BenchException($"{directory}: no such bench directory");
        }

        BenchConfig config = BenchConfig.Load(Path.Combine(full, ConfigFile));
        var bench = new Bench(full, config);
        foreach (string board in config.Boards)
        {
            string boardDirectory = Path.Combine(full, board);
            if (!File.Exists(Path.Combine(boardDirectory, Board.ConfigFile)))
            {
                throw new BenchException($"{Path.Combine(full, ConfigFile)}: $.boards: board '{board}' has no board directory ({boardDirectory}/{Board.ConfigFile} not found)");
            }
        }

        if (!File.Exists(bench.GoldenImagePath))
        {
            throw new BenchException($"{Path.Combine(full, ConfigFile)}: $.tftp.file: {bench.GoldenImagePath} not found");
        }

        return bench;
    }

    /// <summary>
    /// Creates a bench in <paramref name="directory"/> (new or empty): the key pair, the golden image
    /// signed with it in <c>tftp/</c>, <c>board-1</c> to <c>board-N</c> created and factory-flashed,
    /// then bench.json last, atomically, so a directory with bench.json is a complete bench. On any
    /// failure what was created is removed.
    /// </summary>
    public static async Task<Bench> CreateAsync(string directory, BenchCreateOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new BenchException($"{directory}: is a file, not a directory");
        }

        if (System.IO.Directory.Exists(full) && System.IO.Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new BenchException($"{directory}: exists and is not empty (a new bench needs a new or empty directory)");
        }

        var config = new BenchConfig
        {
            BoardId = options.BoardId,
            Boards = [.. Enumerable.Range(1, options.Boards).Select(i => $"board-{i}")],
            TftpPort = options.TftpPort,
        };
        config.Validate();
        bool created = !System.IO.Directory.Exists(full);
        System.IO.Directory.CreateDirectory(full);
        try
        {
            var bench = new Bench(full, config);
            SigningKey key = SigningKey.Generate(options.Algorithm);
            await KeyPairFiles.WriteAsync(Path.Combine(full, KeysDirectory), key, cancel).ConfigureAwait(false);

            System.IO.Directory.CreateDirectory(bench.TftpRoot);
            await WriteGoldenImageAsync(bench.GoldenImagePath, key, options, cancel).ConfigureAwait(false);

            var guids = new SeededRandom(options.Seed ^ 0x62656e6368);
            Guid NextGuid()
            {
                Span<byte> bytes = stackalloc byte[16];
                guids.NextBytes(bytes);
                return new Guid(bytes);
            }

            var boardConfig = new BoardConfig
            {
                BoardId = options.BoardId,
                Profile = BoardProfile.Ab,
                TrustedKeys = [new TrustedKey(key.KeyId.ToString(), key.PublicKey.ToPem())],
                Recovery = new RecoveryConfig
                {
                    Order = [RecoverySource.Tftp],
                    Tftp = new TftpSourceConfig(new TftpEndPoint(config.TftpAddress.ToString(), config.TftpPort), config.TftpFile),
                    Usb = null,
                },
                Limits = BootLimits.Default,
            };
            foreach (string name in config.Boards)
            {
                string boardDirectory = Path.Combine(full, name);
                Board.Create(boardDirectory, boardConfig, BoardSizes, NextGuid);
                using Board board = Board.Open(boardDirectory);
                await FactoryFlash.FlashAsync(board, () => File.OpenRead(bench.GoldenImagePath), cancel).ConfigureAwait(false);
            }

            // Last, and atomically: a directory with bench.json is a complete bench.
            using (AtomicFile file = AtomicFile.Create(Path.Combine(full, ConfigFile), overwrite: false))
            {
                file.Stream.Write(config.ToJsonBytes());
                file.Commit();
            }

            return bench;
        }
        catch
        {
            if (created)
            {
                System.IO.Directory.Delete(full, recursive: true);
            }
            else
            {
                foreach (string entry in System.IO.Directory.EnumerateFileSystemEntries(full))
                {
                    if (System.IO.Directory.Exists(entry))
                    {
                        System.IO.Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }

            throw;
        }
    }

    /// <summary>Seeded payloads (boot 256 KiB, system 2 MiB, vendor 512 KiB) signed into one golden image for the bench's board id.</summary>
    private static async Task WriteGoldenImageAsync(string path, SigningKey key, BenchCreateOptions options, CancellationToken cancel)
    {
        var random = new SeededRandom(options.Seed);
        GoldenImagePartitionSource Part(string kind, int bytes)
        {
            byte[] payload = new byte[bytes];
            random.NextBytes(payload);
            return new GoldenImagePartitionSource(kind, () => new MemoryStream(payload, writable: false));
        }

        GoldenImagePartitionSource[] partitions = [Part("boot", 256 << 10), Part("system", 2 << 20), Part("vendor", 512 << 10)];
        AtomicFile file = AtomicFile.Create(path, overwrite: false);
        await using (file.ConfigureAwait(false))
        {
            await GoldenImageWriter.WriteAsync(new GoldenImageBuildOptions
            {
                Key = key,
                BoardIds = [options.BoardId],
                Version = options.Version,
                RollbackIndex = options.RollbackIndex,
                Partitions = partitions,
                MaxParallelism = 1,
            }, file.Stream, null, cancel).ConfigureAwait(false);
            await file.CommitAsync(cancel).ConfigureAwait(false);
        }
    }
}
