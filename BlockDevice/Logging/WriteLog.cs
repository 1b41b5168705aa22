namespace RecoverySim.BlockDevice.Logging;

/// <summary>
/// Every write (its sectors and data), flush, FUA write and discard of a run, in issue order,
/// recorded by a <see cref="RecordingBlockDevice"/>. Together with the base image it was recorded
/// over, it rebuilds any <see cref="CrashState"/> as a copy-on-write overlay.
/// </summary>
/// <remarks>Appending is single-threaded; once recording is over, any number of threads may open crash states over the log at once.</remarks>
public sealed class WriteLog
{
    /// <summary>Most entries a log holds (crash-state ids count entries in an <see cref="int"/>).</summary>
    public const int MaxEntries = int.MaxValue - 1;

    private readonly List<WriteLogEntry> _entries = [];
    private readonly List<byte[]?> _data = [];
    private WriteLogIndex? _index;

    /// <summary>Creates an empty log for a device of <paramref name="sectorCount"/> sectors of <paramref name="sectorSize"/> bytes.</summary>
    public WriteLog(int sectorSize, long sectorCount)
    {
        SectorRange.CheckSectorSize(sectorSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sectorCount);
        SectorSize = sectorSize;
        SectorCount = sectorCount;
    }

    /// <summary>Bytes per sector of the recorded device.</summary>
    public int SectorSize { get; }

    /// <summary>Sectors of the recorded device.</summary>
    public long SectorCount { get; }

    /// <summary>Entries recorded.</summary>
    public int Count => _entries.Count;

    /// <summary>The entries, in issue order.</summary>
    public IReadOnlyList<WriteLogEntry> Entries => _entries;

    /// <summary>Entry <paramref name="index"/>.</summary>
    public WriteLogEntry this[int index] => _entries[index];

    /// <summary>The data of write entry <paramref name="index"/> (empty for a flush or discard).</summary>
    public ReadOnlySpan<byte> GetData(int index) => _data[index];

    /// <summary>Records a write of <paramref name="data"/> (whole sectors) at <paramref name="sector"/>; the data is copied.</summary>
    public void AppendWrite(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        if (data.Length % SectorSize != 0)
        {
            throw new ArgumentException($"data length {data.Length} is not a multiple of the sector size {SectorSize}", nameof(data));
        }

        long count = data.Length / SectorSize;
        CheckRange(sector, count);
        Append(new WriteLogEntry(WriteLogEntryKind.Write, sector, count, flags), data.ToArray());
    }

    /// <summary>Records a flush.</summary>
    public void AppendFlush() => Append(new WriteLogEntry(WriteLogEntryKind.Flush, 0, 0, WriteFlags.None), null);

    /// <summary>Records a discard of <paramref name="count"/> sectors from <paramref name="sector"/>.</summary>
    public void AppendDiscard(long sector, long count)
    {
        CheckRange(sector, count);
        Append(new WriteLogEntry(WriteLogEntryKind.Discard, sector, count, WriteFlags.None), null);
    }

    /// <summary>
    /// Number of entries that are durable when power is cut after the first <paramref name="prefix"/>
    /// entries were issued: every entry up to and including the last flush among them.
    /// </summary>
    public int DurableCount(int prefix) => Index.DurableCount(CheckPrefix(prefix));

    /// <summary>
    /// The volatile entries (non-FUA writes and discards) among the first <paramref name="prefix"/>
    /// after the last flush: the ones a cache may lose. Bit <c>i</c> of a crash-state cache mask is
    /// the <c>i</c>-th of these.
    /// </summary>
    public int VolatileCount(int prefix)
    {
        WriteLogIndex index = Index;
        return index.VolatileRank(CheckPrefix(prefix)) - index.VolatileRank(index.DurableCount(prefix));
    }

    /// <summary>The per-sector index over the current entries (built once, rebuilt after an append).</summary>
    internal WriteLogIndex Index
    {
        get
        {
            WriteLogIndex? index = _index;
            if (index is null || index.EntryCount != _entries.Count)
            {
                index = new WriteLogIndex(this);
                _index = index;
            }

            return index;
        }
    }

    /// <summary>Builds the per-sector index now (it is built on first use otherwise), so its cost stays out of a measurement.</summary>
    public void BuildIndex() => _ = Index;

    private int CheckPrefix(int prefix)
    {
        if (prefix < 0 || prefix > _entries.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(prefix), $"prefix {prefix} is outside [0, {_entries.Count}] entries of the log");
        }

        return prefix;
    }

    private void CheckRange(long sector, long count)
    {
        if (sector < 0 || count < 0 || sector > SectorCount || count > SectorCount - sector)
        {
            throw new ArgumentOutOfRangeException(nameof(sector), $"sectors [{sector}, {sector}+{count}) are outside the device of {SectorCount} sectors");
        }
    }

    private void Append(WriteLogEntry entry, byte[]? data)
    {
        if (_entries.Count >= MaxEntries)
        {
            throw new InvalidOperationException($"the write log is full ({MaxEntries} entries)");
        }

        _entries.Add(entry);
        _data.Add(data);
    }
}
