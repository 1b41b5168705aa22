using RecoverySim.Bootloader.Control;

namespace RecoverySim.Recovery.Sources;

/// <summary>A golden image in a local file, or in any stream a caller opens (a campaign's in-memory image).</summary>
public sealed class FileImageSource : GoldenImageSource
{
    private readonly Func<Stream> _open;

    /// <summary>The golden image at <paramref name="path"/>.</summary>
    public FileImageSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Description = $"file {path}";
        _open = () =>
        {
            if (!File.Exists(path))
            {
                throw new GoldenImageSourceException($"{path}: no such file");
            }

            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        };
    }

    /// <summary>A golden image that <paramref name="open"/> opens, named <paramref name="description"/>.</summary>
    public FileImageSource(string description, Func<Stream> open)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(open);
        Description = description;
        _open = open;
    }

    /// <inheritdoc/>
    public override RecoverySource Kind => RecoverySource.File;

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override bool CanReread => true;

    /// <inheritdoc/>
    public override Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel)
    {
        Stream stream = _open();
        if (stream.CanSeek && stream.Length > maxBytes)
        {
            stream.Dispose();
            throw new GoldenImageSourceException($"{Description}: {stream.Length} bytes, more than the {maxBytes} a golden image for this board can hold");
        }

        var counted = new CountingReadStream(stream);
        return Task.FromResult(new OpenedGoldenImage(counted, () => counted.BytesRead));
    }
}
