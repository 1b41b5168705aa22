using RecoverySim.Bootloader.Install;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Receives a golden image's partitions from <see cref="GoldenImageReader"/> and installs each into
/// that kind's partition of every slot (the second pass of <see cref="FactoryFlash"/>) through the
/// one <see cref="SlotInstaller"/>: the header is committed only after the reader confirmed every
/// hash, and every slot is read back against the manifest's SHA-256.
/// </summary>
internal sealed class FactoryFlashSink(Board board) : GoldenImageSink
{
    private readonly Dictionary<string, SlotWriteStream> _open = [];

    public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
    {
        SlotTarget[] targets = FactoryFlash.TargetsOf(board, partition.Name).Select(name => new SlotTarget(name, board.Partition(name))).ToArray();
        SlotWriteStream install = SlotInstaller.Begin(targets, partition.Size, new SlotInstallOptions { ExpectedImageSha256 = Convert.FromHexString(partition.Sha256) });
        _open[partition.Name] = install;
        return ValueTask.FromResult<Stream?>(install);
    }

    public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
    {
        using SlotWriteStream install = _open[partition.Name];
        _open.Remove(partition.Name);
        install.Commit(header.RawBytes.Span);
        return ValueTask.CompletedTask;
    }
}
