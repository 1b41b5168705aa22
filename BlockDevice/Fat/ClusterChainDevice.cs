namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A read-only device whose sectors are the clusters of one checked chain, in chain order: sector
/// 0 is the first sector of the first cluster. A read that spans several runs of contiguous
/// clusters is one device read per run, so a contiguous file is read in reads as large as the
/// caller's. <see cref="FatVolume.OpenRead(string)"/> puts a <see cref="BlockDeviceStream"/> of
/// the file's size over it.
/// </summary>
internal sealed class ClusterChainDevice : IBlockDevice
{
    private readonly IBlockDevice _volume;
    private readonly Segment[] _segments;

    /// <summary>The chain <paramref name="runs"/> (checked against the volume) of the volume of <paramref name="boot"/> on <paramref name="volume"/>.</summary>
    public ClusterChainDevice(IBlockDevice volume, FatBootSector boot, IReadOnlyList<ClusterRun> runs)
    {
        _volume = volume;
        int perFatSector = boot.BytesPerSector / volume.SectorSize;
        long perCluster = (long)boot.SectorsPerCluster * perFatSector;
        _segments = new Segment[runs.Count];
        long next = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            long first = (boot.FirstDataSector + ((runs[i].First - 2L) * boot.SectorsPerCluster)) * perFatSector;
            _segments[i] = new Segment(next, first, runs[i].Count * perCluster);
            next += runs[i].Count * perCluster;
        }

        SectorCount = next;
    }

    /// <inheritdoc />
    public int SectorSize => _volume.SectorSize;

    /// <inheritdoc />
    public long SectorCount { get; }

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        SectorRange.Check(this, sector, buffer.Length);
        while (!buffer.IsEmpty)
        {
            Segment segment = Locate(sector);
            long within = sector - segment.FirstSector;
            int sectors = (int)Math.Min(buffer.Length / SectorSize, segment.Sectors - within);
            int bytes = sectors * SectorSize;
            _volume.Read(segment.VolumeSector + within, buffer[..bytes]);
            buffer = buffer[bytes..];
            sector += sectors;
        }
    }

    /// <summary>Not supported: a file on a FAT volume is read-only here.</summary>
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None) =>
        throw new NotSupportedException("a file on a FAT volume is read-only");

    /// <inheritdoc />
    public void Flush()
    {
    }

    /// <summary>Not supported: a file on a FAT volume is read-only here.</summary>
    public void Discard(long sector, long count) => throw new NotSupportedException("a file on a FAT volume is read-only");

    /// <summary>Nothing to release; the volume's device belongs to the caller of <see cref="FatVolume.Mount"/>.</summary>
    public void Dispose()
    {
    }

    /// <summary>The run holding <paramref name="sector"/> (inside the device, so inside some run).</summary>
    private Segment Locate(long sector)
    {
        int low = 0;
        int high = _segments.Length - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (_segments[middle].FirstSector <= sector)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return _segments[low];
    }

    /// <summary>Chain sectors [FirstSector, FirstSector + Sectors) are volume sectors from VolumeSector on.</summary>
    private readonly record struct Segment(long FirstSector, long VolumeSector, long Sectors);
}
