using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// A golden-image sink that keeps each verified partition image in memory (the diff needs all of
/// it), refusing one over <see cref="BsDiff.MaxInputLength"/> before allocating it.
/// </summary>
internal sealed class ImageCollector(string release) : GoldenImageSink
{
    private readonly Dictionary<string, byte[]> _pending = [];

    /// <summary>The verified images by partition name.</summary>
    public Dictionary<string, byte[]> Images { get; } = [];

    public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
    {
        if (partition.Size > BsDiff.MaxInputLength)
        {
            throw new ImageFormatException($"{release}: partition '{partition.Name}' image is {partition.Size} bytes, over the {BsDiff.MaxInputLength}-byte limit of the diff", partition.Member, "size");
        }

        byte[] image = new byte[partition.Size];
        _pending[partition.Name] = image;
        return ValueTask.FromResult<Stream?>(new MemoryStream(image, writable: true));
    }

    public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
    {
        Images[partition.Name] = _pending[partition.Name];
        destination?.Dispose();
        return ValueTask.CompletedTask;
    }
}
