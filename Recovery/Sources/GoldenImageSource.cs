using RecoverySim.Bootloader.Control;

namespace RecoverySim.Recovery.Sources;

/// <summary>
/// Where recovery mode fetches a golden image (DESIGN.md "Recovery mode" 1): a TFTP server, a USB
/// stick, a local file. Each opens the image for one read from its start; recovery tries a source
/// up to <see cref="Attempts"/> times before moving to the next, and every failure is a
/// <see cref="GoldenImageSourceException"/> (or a typed I/O exception) that says why.
/// </summary>
public abstract class GoldenImageSource
{
    /// <summary>Which kind of source this is (what a recovery request's source selects).</summary>
    public abstract RecoverySource Kind { get; }

    /// <summary>One line that names the source: <c>tftp 127.0.0.1:69/golden.rsim</c>.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// True when the image can be read twice at no network cost (a file, a stick): recovery then
    /// verifies the whole image first and writes on the second read, so a truncated or damaged
    /// image is refused before a byte reaches the disk. A TFTP image is read once, verified while
    /// it streams: a bad payload then leaves only the slot being written unbootable.
    /// </summary>
    public virtual bool CanReread => false;

    /// <summary>Tries before recovery moves to the next source (at least 1).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>
    /// Opens the golden image for reading from its first byte. <paramref name="maxBytes"/> bounds
    /// what the source may deliver (a TFTP server announcing more is refused before anything is
    /// written). The caller disposes the result.
    /// </summary>
    public abstract Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel);

    /// <inheritdoc/>
    public override string ToString() => Description;
}
