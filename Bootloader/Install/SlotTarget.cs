using RecoverySim.BlockDevice;

namespace RecoverySim.Bootloader.Install;

/// <summary>One slot partition an image is installed into: its name (for errors and events) and its device.</summary>
/// <param name="Name">The partition name, such as <c>system_b</c>.</param>
/// <param name="Device">The partition's device (a <see cref="PartitionDevice"/> of the board's disk).</param>
public readonly record struct SlotTarget(string Name, IBlockDevice Device)
{
    /// <summary>Bytes the partition holds.</summary>
    public long Capacity => Device.SectorCount * Device.SectorSize;
}
