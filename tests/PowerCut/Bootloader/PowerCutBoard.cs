using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Testing;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>A board image in memory (GPT, signed slots, BCB, RPMB) that power-cut tests record a run over and rebuild crash states on.</summary>
public sealed class PowerCutBoard
{
    public const string BoardId = "powercut-board";

    /// <summary>From a fixed seed, so every run signs the same bytes and a failing crash state replays.</summary>
    public static readonly SigningKey Key = SigningKey.Derive(SignatureAlgorithm.Ed25519, "power-cut-board");

    private static readonly PartitionSizes Sizes = new(1 << 20, 64 << 10, 64 << 10, 64 << 10, 64 << 10);

    public PowerCutBoard(BootLimits limits)
    {
        Config = new BoardConfig
        {
            BoardId = BoardId,
            TrustedKeys = [new TrustedKey(Key.KeyId.ToString(), Key.PublicKey.ToPem())],
            Limits = limits,
        };
        Disk = new MemoryBlockDevice(Board.DiskBytes(BoardProfile.Ab, Sizes) / 512);
        Rpmb = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        Board.Format(Disk, Rpmb, BoardProfile.Ab, Sizes, limits, SeededGuids.From(7));
    }

    public BoardConfig Config { get; }

    public MemoryBlockDevice Disk { get; }

    public MemoryBlockDevice Rpmb { get; }

    public Board Open(IBlockDevice disk, IBlockDevice rpmb) => Board.FromDevices(Config, disk, rpmb);

    public Board Open() => Open(Disk, Rpmb);

    public void FlashSlot(Slot slot, string release, ulong rollbackIndex)
    {
        using Board board = Open();
        foreach (string kind in BoardLayout.SlotPartitionKinds)
        {
            byte[] payload = new byte[3000];
            new Random(BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kind + "\0" + release)))).NextBytes(payload);
            var image = new MemoryStream();
            PartitionImageWriter.Write(new MemoryStream(payload), new PartitionRelease(kind, release, "v" + release, rollbackIndex, BoardId), Key, image);
            image.Position = 0;
            PartitionFlasher.Flash(board, [BoardLayout.PartitionName(BoardProfile.Ab, kind, slot)], image, image.Length);
        }
    }

    public void UpdateControl(Func<BootControlBlock, BootControlBlock> change)
    {
        using Board board = Open();
        board.Control.Write(change(board.Control.Read().Block!.Value));
    }

    /// <summary>The newest valid boot control block copy, without repairing anything; null when neither is valid.</summary>
    public static BootControlBlock? PeekControl(Board board)
    {
        IBlockDevice misc = board.Partition(BoardLayout.Misc);
        byte[] c0 = new byte[512], c1 = new byte[512];
        misc.Read(MiscLayout.BootControlCopy0Offset / 512, c0);
        misc.Read(MiscLayout.BootControlCopy1Offset / 512, c1);
        bool v0 = BootControlBlock.TryParse(c0, out BootControlBlock b0);
        bool v1 = BootControlBlock.TryParse(c1, out BootControlBlock b1);
        return v0 && v1 ? (b1.Sequence > b0.Sequence ? b1 : b0) : v0 ? b0 : v1 ? b1 : null;
    }

    /// <summary>The newest valid RPMB copy's counters, without repairing; null when neither is valid.</summary>
    public static RollbackIndexes? PeekRpmb(IBlockDevice rpmb)
    {
        byte[] c0 = new byte[512], c1 = new byte[512];
        rpmb.Read(RpmbStore.Copy0Offset / 512, c0);
        rpmb.Read(RpmbStore.Copy1Offset / 512, c1);
        bool v0 = RpmbBlock.TryParse(c0, out RpmbBlock b0);
        bool v1 = RpmbBlock.TryParse(c1, out RpmbBlock b1);
        return v0 && v1 ? (b1.WriteCounter > b0.WriteCounter ? b1 : b0).Indexes : v0 ? b0.Indexes : v1 ? b1.Indexes : null;
    }
}
