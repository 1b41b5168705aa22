namespace RecoverySim.BlockDevice.Logging;

/// <summary>
/// A decorator that passes every operation to the inner device and records each write (with its
/// data), flush, FUA write and discard that completed into a <see cref="WriteLog"/>. Operations
/// that fail (a power cut below) are not recorded: the log is what the caller issued and the
/// device acknowledged.
/// </summary>
/// <remarks>
/// To explore crash states of a run, record over a copy-on-write overlay of the base image so
/// the base stays untouched: <c>var rec = new RecordingBlockDevice(new OverlayBlockDevice(baseImage));
/// Run(rec); CrashState.Parse("p12-c5").Open(baseImage, rec.Log)</c>.
/// </remarks>
public sealed class RecordingBlockDevice : IBlockDevice
{
    private readonly IBlockDevice _inner;
    private readonly bool _leaveOpen;

    /// <summary>Records the operations on <paramref name="inner"/> into <paramref name="log"/> (a new one by default).</summary>
    public RecordingBlockDevice(IBlockDevice inner, WriteLog? log = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (log is not null && (log.SectorSize != inner.SectorSize || log.SectorCount != inner.SectorCount))
        {
            throw new ArgumentException($"the log is for {log.SectorCount} sectors of {log.SectorSize} bytes, the device has {inner.SectorCount} of {inner.SectorSize}", nameof(log));
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        Log = log ?? new WriteLog(inner.SectorSize, inner.SectorCount);
    }

    /// <summary>The log being recorded.</summary>
    public WriteLog Log { get; }

    /// <summary>The device operations go to.</summary>
    public IBlockDevice Inner => _inner;

    /// <inheritdoc />
    public int SectorSize => _inner.SectorSize;

    /// <inheritdoc />
    public long SectorCount => _inner.SectorCount;

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer) => _inner.Read(sector, buffer);

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        _inner.Write(sector, data, flags);
        Log.AppendWrite(sector, data, flags);
    }

    /// <inheritdoc />
    public void Flush()
    {
        _inner.Flush();
        Log.AppendFlush();
    }

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        _inner.Discard(sector, count);
        Log.AppendDiscard(sector, count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _inner.Dispose();
        }
    }
}
