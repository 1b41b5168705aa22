using RecoverySim.Testing;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.Bootloader.Tests.Boot;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Tests.Boards;

/// <summary>A real board (GPT, misc, RPMB, signed partition images) on memory devices.</summary>
internal sealed class TestBoard : IDisposable
{
    public const string BoardId = "test-board";

    public static readonly SigningKey Key = SigningKey.Derive(SignatureAlgorithm.Ed25519, "test-board");
    public static readonly SigningKey OtherKey = SigningKey.Derive(SignatureAlgorithm.Ed25519, "test-board-other");

    public static readonly PartitionSizes SmallSizes = new(1 << 20, 128 << 10, 256 << 10, 128 << 10, 64 << 10);

    public TestBoard(BoardProfile profile = BoardProfile.Ab, BootLimits? limits = null)
    {
        Config = new BoardConfig
        {
            BoardId = BoardId,
            Profile = profile,
            TrustedKeys = [new TrustedKey(Key.KeyId.ToString(), Key.PublicKey.ToPem())],
            Limits = limits ?? BootLimits.Default,
        };
        Disk = new MemoryBlockDevice(Board.DiskBytes(profile, SmallSizes) / 512);
        RpmbDevice = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        Board.Format(Disk, RpmbDevice, profile, SmallSizes, Config.Limits, SeededGuids.From(1));
    }

    public BoardConfig Config { get; }

    public MemoryBlockDevice Disk { get; }

    public MemoryBlockDevice RpmbDevice { get; }

    public Board Open() => Board.FromDevices(Config, Disk, RpmbDevice);

    public static byte[] Image(string kind, string release, ulong rollbackIndex, string? version = null, SigningKey? key = null, string boardId = BoardId, int payloadBytes = 6000)
    {
        byte[] payload = new byte[payloadBytes];
        new Random(BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kind + "\0" + release)))).NextBytes(payload);
        var output = new MemoryStream();
        PartitionImageWriter.Write(new MemoryStream(payload), new PartitionRelease(kind, release, version ?? "v-" + release, rollbackIndex, boardId), key ?? Key, output);
        return output.ToArray();
    }

    public void FlashPartition(string partition, byte[] image)
    {
        using Board board = Open();
        PartitionFlasher.Flash(board, [partition], new MemoryStream(image), image.Length);
    }

    public void FlashSlot(Slot slot, string release, ulong rollbackIndex, SigningKey? key = null, string boardId = BoardId)
    {
        foreach (string kind in BoardLayout.SlotPartitionKinds)
        {
            FlashPartition(BoardLayout.PartitionName(Config.Profile, kind, slot), Image(kind, release, rollbackIndex, key: key, boardId: boardId));
        }
    }

    /// <summary>Factory state: both slots with release r1 (rollback 1), slot a first.</summary>
    public TestBoard Factory(string release = "r1", ulong rollbackIndex = 1)
    {
        foreach (Slot slot in BoardLayout.Slots(Config.Profile))
        {
            FlashSlot(slot, release, rollbackIndex);
        }

        return this;
    }

    public BootResult Boot(OsHealth? health = null)
    {
        using Board board = Open();
        return board.BootFlow(FixedTime.Epoch).PowerOn(health ?? OsHealth.Healthy);
    }

    public BootControlBlock Control
    {
        get
        {
            using Board board = Open();
            return board.Control.Read().Block ?? throw new InvalidOperationException("no valid boot control block");
        }
    }

    public RollbackIndexes Rollback
    {
        get
        {
            using Board board = Open();
            return board.Rpmb.Read();
        }
    }

    public void UpdateControl(Func<BootControlBlock, BootControlBlock> change)
    {
        using Board board = Open();
        BootControlBlock current = board.Control.Read().Block ?? throw new InvalidOperationException("no valid boot control block");
        board.Control.Write(change(current));
    }

    public void RaiseRollback(int location, ulong value)
    {
        using Board board = Open();
        board.Rpmb.Raise([(location, value)]);
    }

    /// <summary>The device of a partition (the board over memory devices owns nothing, so it needs no disposal).</summary>
    public IBlockDevice Partition(string name) => Open().Partition(name);

    public void Dispose()
    {
        Disk.Dispose();
        RpmbDevice.Dispose();
    }
}
