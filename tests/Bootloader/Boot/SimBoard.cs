using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;

namespace RecoverySim.Bootloader.Tests.Boot;

/// <summary>An in-memory board: misc and RPMB on memory devices, partitions behind a <see cref="FakeVerifier"/>.</summary>
internal sealed class SimBoard : IDisposable
{
    public SimBoard(BoardProfile profile = BoardProfile.Ab, BootLimits? limits = null)
    {
        Profile = profile;
        Limits = limits ?? BootLimits.Default;
        Misc = new MemoryBlockDevice(MiscLayout.MinimumSize / 512);
        RpmbDevice = new MemoryBlockDevice(RpmbStore.DeviceSize / 512);
        new BootControlStore(Misc).Initialize(BootControlBlock.Factory(Limits.MaxTries));
        new RpmbStore(RpmbDevice).Format();
        foreach (Slot slot in BoardLayout.Slots(profile))
        {
            FlashSlot(slot, "r1", 1);
        }
    }

    public BoardProfile Profile { get; }

    public BootLimits Limits { get; }

    public MemoryBlockDevice Misc { get; }

    public MemoryBlockDevice RpmbDevice { get; }

    public FakeVerifier Verifier { get; } = new();

    public void FlashSlot(Slot slot, string release, ulong rollbackIndex)
    {
        foreach (string partition in BoardLayout.SlotPartitions(Profile, slot))
        {
            Verifier.Flash(partition, release, rollbackIndex);
        }
    }

    public void CorruptSlot(Slot slot, UnbootableReason reason = UnbootableReason.HeaderInvalid) =>
        Verifier.Corrupt(BoardLayout.PartitionName(Profile, "system", slot), reason);

    public BootResult Boot(OsHealth? health = null) =>
        new BootFlow(new BootControlStore(Misc), new RpmbStore(RpmbDevice), Profile, Limits, Verifier, FixedTime.Epoch)
            .PowerOn(health ?? OsHealth.Healthy);

    public BootControlBlock Control => new BootControlStore(Misc).Read().Block ?? throw new InvalidOperationException("no valid BCB");

    public RollbackIndexes Rollback => new RpmbStore(RpmbDevice).Read();

    public void Update(Func<BootControlBlock, BootControlBlock> change)
    {
        var store = new BootControlStore(Misc);
        BootControlBlock current = store.Read().Block ?? throw new InvalidOperationException("no valid BCB");
        store.Write(change(current));
    }

    public void SetActive(Slot slot) => Update(b => AbRules.SetActive(b, slot, Limits.MaxTries));

    public void Dispose()
    {
        Misc.Dispose();
        RpmbDevice.Dispose();
    }
}
