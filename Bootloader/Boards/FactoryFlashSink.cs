using RecoverySim.BlockDevice;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Receives a golden image's partitions from <see cref="GoldenImageReader"/> and writes each into
/// that kind's partition of every slot (the second pass of <see cref="FactoryFlash"/>). The header
/// is held back: the header sector is zeroed first, the payload streams to the slots, and the
/// header is written only after the reader confirmed every hash, then flushed (see
/// <see cref="PartitionFlasher"/> for why that order is safe).
/// </summary>
internal sealed class FactoryFlashSink(Board board) : GoldenImageSink
{
    private readonly Dictionary<string, SlotTeeStream> _open = [];

    public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
    {
        IBlockDevice[] devices = FactoryFlash.TargetsOf(board, partition.Name).Select(board.Partition).ToArray();
        foreach (IBlockDevice device in devices)
        {
            device.Write(0, new byte[PartitionHeader.Size]);
        }

        var tee = new SlotTeeStream(devices, partition.Size);
        _open[partition.Name] = tee;
        return ValueTask.FromResult<Stream?>(tee);
    }

    public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
    {
        SlotTeeStream tee = _open[partition.Name];
        tee.Commit(header.RawBytes.Span);
        tee.Dispose();
        _open.Remove(partition.Name);
        return ValueTask.CompletedTask;
    }
}
