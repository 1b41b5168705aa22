using System.Security.Cryptography;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Recovery.Sources;
using RecoverySim.Testing;

namespace RecoverySim.Recovery.Tests.Fixtures;

/// <summary>
/// A small real board on memory devices (GPT, misc, RPMB) and golden images built in memory from
/// seeded payloads: what the recovery tests and the power-cut campaign over recovery start from.
/// </summary>
public sealed class RecoveryBench
{
    public const string BoardId = "rsim-test";

    /// <summary>Keys derived from fixed seeds: images and their signatures are the same bytes on every run.</summary>
    public static readonly SigningKey Key = SigningKey.Derive(SignatureAlgorithm.Ed25519, "recovery-bench");

    public static readonly SigningKey StrangerKey = SigningKey.Derive(SignatureAlgorithm.Ed25519, "recovery-bench-stranger");

    /// <summary>boot 256 KiB, system 3 MiB, vendor 256 KiB: system spans several install chunks, so a cut lands between journal records.</summary>
    public static readonly PartitionSizes Sizes = new(1 << 20, 256 << 10, 3 << 20, 256 << 10, 64 << 10);

    public RecoveryBench(BoardProfile profile = BoardProfile.Ab)
    {
        Config = new BoardConfig
        {
            BoardId = BoardId,
            Profile = profile,
            TrustedKeys = [new TrustedKey(Key.KeyId.ToString(), Key.PublicKey.ToPem())],
            Limits = new BootLimits(3, 8, 5),
        };
        Disk = new MemoryBlockDevice(Board.DiskBytes(profile, Sizes) / 512);
        Rpmb = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        Board.Format(Disk, Rpmb, profile, Sizes, Config.Limits, SeededGuids.From(7));
        using Board board = Open();
        using var user = new BlockDeviceStream(board.Partition("userdata"));
        byte[] files = new byte[user.Length];
        new Random(99).NextBytes(files);
        user.Write(files);
    }

    public BoardConfig Config { get; }

    public MemoryBlockDevice Disk { get; }

    public MemoryBlockDevice Rpmb { get; }

    public Board Open(IBlockDevice? disk = null, IBlockDevice? rpmb = null) => Board.FromDevices(Config, disk ?? Disk, rpmb ?? Rpmb);

    /// <summary>A golden image: payloads boot 100 KiB, system 2.5 MiB, vendor 100 KiB from <paramref name="seed"/>.</summary>
    public static byte[] Golden(string version, ulong rollbackIndex, int seed = 1, SigningKey? key = null, string boardId = BoardId,
        int systemBytes = (5 << 20) / 2, PartitionCompression compression = PartitionCompression.None)
    {
        var random = new Random(seed);
        byte[] Payload(int n)
        {
            byte[] bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }

        byte[] boot = Payload(100 << 10), system = Payload(systemBytes), vendor = Payload(100 << 10);
        var output = new MemoryStream();
        GoldenImageWriter.WriteAsync(new GoldenImageBuildOptions
        {
            Key = key ?? Key,
            BoardIds = [boardId],
            ReleaseId = $"rel-{version}",
            Version = version,
            RollbackIndex = rollbackIndex,
            Compression = compression,
            MaxParallelism = 1,
            Partitions =
            [
                new GoldenImagePartitionSource("boot", () => new MemoryStream(boot)),
                new GoldenImagePartitionSource("system", () => new MemoryStream(system)),
                new GoldenImagePartitionSource("vendor", () => new MemoryStream(vendor)),
            ],
        }, output).GetAwaiter().GetResult();
        return output.ToArray();
    }

    public static FileImageSource Source(byte[] golden, string name = "file golden.rsim") => new(name, () => new MemoryStream(golden, writable: false));

    /// <summary>Factory-flashes <paramref name="golden"/> into both slots.</summary>
    public void Flash(byte[] golden)
    {
        using Board board = Open();
        FactoryFlash.FlashAsync(board, () => new MemoryStream(golden, writable: false)).GetAwaiter().GetResult();
    }

    /// <summary>Zeroes the header of every slot's boot partition: no slot can boot.</summary>
    public void Brick()
    {
        using Board board = Open();
        foreach (Slot slot in BoardLayout.Slots(Config.Profile))
        {
            board.Partition(BoardLayout.PartitionName(Config.Profile, "boot", slot)).Write(0, new byte[PartitionHeader.Size]);
        }
    }

    /// <summary>The whole power-on: bootloader, recovery, reset, OS.</summary>
    public PowerOnResult PowerOn(IReadOnlyList<GoldenImageSource> sources, IBlockDevice? disk = null, IBlockDevice? rpmb = null, RecoveryOptions? options = null, OsHealth? health = null, TimeProvider? time = null)
    {
        using Board board = Open(disk, rpmb);
        return new PowerOnSequence(board, sources, time ?? new ManualTimeProvider(), options ?? new RecoveryOptions { DurableInterval = 1 << 20 }).RunAsync(health ?? OsHealth.Healthy).GetAwaiter().GetResult();
    }

    public string UserdataHash(IBlockDevice? disk = null)
    {
        using Board board = Open(disk);
        using var stream = new BlockDeviceStream(board.Partition("userdata"), writable: false);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Hash(IBlockDevice device)
    {
        using var stream = new BlockDeviceStream(device, writable: false);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The release each slot's partitions verify as (null where a partition does not verify).</summary>
    public IReadOnlyList<string?> SlotReleases(IBlockDevice? disk = null, IBlockDevice? rpmb = null)
    {
        using Board board = Open(disk, rpmb);
        var releases = new List<string?>();
        foreach (Slot slot in BoardLayout.Slots(Config.Profile))
        {
            var results = board.Verifier().VerifyAll(BoardLayout.SlotPartitions(Config.Profile, slot).Select(p => (p, 0UL)).ToArray());
            releases.Add(results.Count == 3 && results.All(r => r.Verified) && results.Select(r => r.Release).Distinct().Count() == 1 ? results[0].Release : null);
        }

        return releases;
    }

    public BootControlBlock Control(IBlockDevice? disk = null)
    {
        using Board board = Open(disk);
        return board.Control.Peek().Block ?? throw new InvalidOperationException("no valid boot control block");
    }
}
