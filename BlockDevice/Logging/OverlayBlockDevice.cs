namespace RecoverySim.BlockDevice.Logging;

/// <summary>
/// A copy-on-write device over a base image that is never written: reads come from the
/// overlay's own writes, else (for a crash state) from the write log, else from the base; writes
/// and discards stay in the overlay's memory. Creating one is O(1) whatever the device size, which
/// is what makes exploring thousands of crash states cheap.
/// </summary>
public sealed class OverlayBlockDevice : IBlockDevice
{
    private readonly IBlockDevice _base;
    private readonly WriteLogIndex? _index;
    private readonly CrashState _state;
    private readonly int _durable;
    private readonly int _volatileBase;
    private readonly Dictionary<long, byte[]?> _own = [];

    /// <summary>A plain copy-on-write overlay over <paramref name="baseImage"/> (no log).</summary>
    public OverlayBlockDevice(IBlockDevice baseImage)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        _base = baseImage;
    }

    internal OverlayBlockDevice(IBlockDevice baseImage, WriteLogIndex index, CrashState state)
    {
        _base = baseImage;
        _index = index;
        _state = state;
        _durable = index.DurableCount(state.Prefix);
        _volatileBase = index.VolatileRank(_durable);
    }

    /// <summary>The crash state this overlay shows, or null for a plain overlay.</summary>
    public CrashState? State => _index is null ? null : _state;

    /// <summary>Sectors written or discarded through the overlay itself (its memory cost).</summary>
    public int OwnSectorCount => _own.Count;

    /// <inheritdoc />
    public int SectorSize => _base.SectorSize;

    /// <inheritdoc />
    public long SectorCount => _base.SectorCount;

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        long count = SectorRange.Check(this, sector, buffer.Length);
        int sectorSize = SectorSize;
        long runStart = -1;
        for (long i = 0; i < count; i++)
        {
            Span<byte> target = buffer.Slice((int)(i * sectorSize), sectorSize);
            if (TryReadAbove(sector + i, target))
            {
                if (runStart >= 0)
                {
                    ReadBase(sector, buffer, runStart, i);
                    runStart = -1;
                }
            }
            else if (runStart < 0)
            {
                runStart = i;
            }
        }

        if (runStart >= 0)
        {
            ReadBase(sector, buffer, runStart, count);
        }
    }

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        long count = SectorRange.Check(this, sector, data.Length);
        int sectorSize = SectorSize;
        for (long i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> source = data.Slice((int)(i * sectorSize), sectorSize);
            if (_own.TryGetValue(sector + i, out byte[]? existing) && existing is not null)
            {
                source.CopyTo(existing);
            }
            else
            {
                _own[sector + i] = source.ToArray();
            }
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        // The overlay is memory: nothing to make durable.
    }

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        SectorRange.CheckCount(this, sector, count);
        for (long s = sector; s < sector + count; s++)
        {
            _own[s] = null; // null = zeros
        }
    }

    /// <inheritdoc />
    public void Dispose() => _own.Clear();

    private void ReadBase(long sector, Span<byte> buffer, long from, long to)
    {
        int sectorSize = SectorSize;
        _base.Read(sector + from, buffer.Slice((int)(from * sectorSize), (int)((to - from) * sectorSize)));
    }

    /// <summary>Fills <paramref name="target"/> from the overlay's writes or the log; false when the base holds the sector.</summary>
    private bool TryReadAbove(long sector, Span<byte> target)
    {
        if (_own.Count > 0 && _own.TryGetValue(sector, out byte[]? mine))
        {
            if (mine is null)
            {
                target.Clear();
            }
            else
            {
                mine.CopyTo(target);
            }

            return true;
        }

        if (_index is null)
        {
            return false;
        }

        ReadOnlySpan<int> entries = _index.EntriesOf(sector);
        if (entries.IsEmpty)
        {
            return false;
        }

        WriteLog log = _index.Log;
        int prefix = _state.Prefix;
        if (_state.TornSectors > 0)
        {
            WriteLogEntry torn = log[prefix];
            if (sector >= torn.Sector && sector < torn.Sector + _state.TornSectors)
            {
                return CopyEntry(log, prefix, sector, target);
            }
        }

        // The last entry before the cut that changed this sector: binary search, then walk back
        // over volatile entries the cache lost.
        int pos = entries.BinarySearch(prefix);
        pos = pos >= 0 ? pos - 1 : ~pos - 1;
        for (; pos >= 0; pos--)
        {
            int j = entries[pos];
            if (j < _durable || !_state.HasCacheLoss)
            {
                return CopyEntry(log, j, sector, target);
            }

            WriteLogEntry entry = log[j];
            if (!entry.IsVolatile || _state.Landed(_index.VolatileRank(j) - _volatileBase))
            {
                return CopyEntry(log, j, sector, target);
            }
        }

        return false;
    }

    private static bool CopyEntry(WriteLog log, int j, long sector, Span<byte> target)
    {
        WriteLogEntry entry = log[j];
        if (entry.Kind == WriteLogEntryKind.Discard)
        {
            target.Clear();
        }
        else
        {
            int sectorSize = log.SectorSize;
            log.GetData(j).Slice((int)((sector - entry.Sector) * sectorSize), sectorSize).CopyTo(target);
        }

        return true;
    }
}
