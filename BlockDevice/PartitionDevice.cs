namespace RecoverySim.BlockDevice;

/// <summary>
/// A bounded view of the sectors [<see cref="FirstSector"/>, FirstSector + <see cref="SectorCount"/>)
/// of another device: sector 0 of the view is <see cref="FirstSector"/> of the inner device, and
/// nothing outside the range can be read or written through it. Flush flushes the inner device.
/// Disposing the view does not dispose the inner device.
/// </summary>
public sealed class PartitionDevice : IBlockDevice
{
    private readonly IBlockDevice _inner;

    /// <summary>Creates the view; the range must be non-empty and inside <paramref name="inner"/>.</summary>
    public PartitionDevice(IBlockDevice inner, long firstSector, long sectorCount)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (sectorCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorCount), $"partition of {sectorCount} sectors: at least 1 is needed");
        }

        SectorRange.CheckCount(inner, firstSector, sectorCount);
        _inner = inner;
        FirstSector = firstSector;
        SectorCount = sectorCount;
    }

    /// <summary>The first sector of the view on the inner device.</summary>
    public long FirstSector { get; }

    /// <summary>The device this is a view of.</summary>
    public IBlockDevice Inner => _inner;

    /// <inheritdoc />
    public int SectorSize => _inner.SectorSize;

    /// <inheritdoc />
    public long SectorCount { get; }

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        SectorRange.Check(this, sector, buffer.Length);
        _inner.Read(FirstSector + sector, buffer);
    }

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        SectorRange.Check(this, sector, data.Length);
        _inner.Write(FirstSector + sector, data, flags);
    }

    /// <inheritdoc />
    public void Flush() => _inner.Flush();

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        SectorRange.CheckCount(this, sector, count);
        _inner.Discard(FirstSector + sector, count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
