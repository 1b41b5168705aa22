using RecoverySim.BlockDevice;

namespace RecoverySim.Bootloader.Storage;

/// <summary>
/// A record kept in two copies, each in its own sectors of a block device, so that every update
/// is atomic across power cuts (docs/FORMAT.md "boot-control-block", "rpmb"): the boot control
/// block and the simulated RPMB both use it.
/// </summary>
/// <remarks>
/// <para>Write order. An update never touches the copy that holds the current state: it writes the
/// new record, with the sequence one higher, over the other copy, then flushes. A power cut before
/// the flush returns leaves that copy old, torn (rejected by the parser) or new; the untouched copy
/// still holds the old state, so the next read sees the old state or the new one, never anything
/// else. When one copy is damaged on read, it is rewritten from the valid one and flushed before
/// anything else is written, so the next update again has an intact copy to fall back to. A format
/// writes copy 0, flushes, writes copy 1, flushes.</para>
/// <para>Each copy occupies <see cref="IDualCopyRecord{TRecord}.Size"/> rounded up to whole sectors;
/// the bytes after the record are written as zero.</para>
/// </remarks>
/// <typeparam name="TRecord">The record kept.</typeparam>
public sealed class DualCopyStore<TRecord>
    where TRecord : struct, IDualCopyRecord<TRecord>
{
    private readonly IBlockDevice _device;
    private readonly long _copy0Sector;
    private readonly long _copy1Sector;
    private readonly int _copyBytes;
    private int _current = -1;
    private TRecord _record;

    /// <summary>
    /// Creates a store over <paramref name="device"/> with copy 0 at byte <paramref name="copy0Offset"/>
    /// and copy 1 at byte <paramref name="copy1Offset"/>. The offsets must be sector-aligned and the
    /// copies (the record rounded up to whole sectors) must not overlap and must fit the device;
    /// the owner checks its own limits first, with its own error.
    /// </summary>
    public DualCopyStore(IBlockDevice device, long copy0Offset, long copy1Offset)
    {
        ArgumentNullException.ThrowIfNull(device);
        int sectorSize = device.SectorSize;
        int copyBytes = (TRecord.Size + sectorSize - 1) / sectorSize * sectorSize;
        if (copy0Offset < 0 || copy1Offset < 0 || copy0Offset % sectorSize != 0 || copy1Offset % sectorSize != 0)
        {
            throw new ArgumentException($"copy offsets {copy0Offset} and {copy1Offset} must be non-negative multiples of the {sectorSize}-byte sector");
        }

        if (Math.Abs(copy1Offset - copy0Offset) < copyBytes)
        {
            throw new ArgumentException($"copies at {copy0Offset} and {copy1Offset} overlap: each takes {copyBytes} bytes");
        }

        if (Math.Max(copy0Offset, copy1Offset) + copyBytes > device.SectorCount * sectorSize)
        {
            throw new ArgumentException($"copies at {copy0Offset} and {copy1Offset} of {copyBytes} bytes each do not fit a device of {device.SectorCount * sectorSize} bytes");
        }

        _device = device;
        _copy0Sector = copy0Offset / sectorSize;
        _copy1Sector = copy1Offset / sectorSize;
        _copyBytes = copyBytes;
    }

    /// <summary>The state last read, updated or formatted; null before that, or after a read found no valid copy.</summary>
    public TRecord? Current => _current >= 0 ? _record : null;

    /// <summary>
    /// Reads both copies, picks the valid one with the highest sequence (copy 0 on a tie) as the
    /// current state and, when the other copy is damaged, rewrites it from the valid one and
    /// flushes. With no valid copy nothing is written and there is no current state.
    /// </summary>
    public DualCopyRead<TRecord> Read()
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out TRecord copy0);
        bool valid1 = ReadCopy(1, buffer, out TRecord copy1);
        if (!valid0 && !valid1)
        {
            _current = -1;
            return new DualCopyRead<TRecord>(null, false, false, null);
        }

        int? repaired = null;
        if (valid0 && valid1)
        {
            _current = copy1.Sequence > copy0.Sequence ? 1 : 0;
            _record = _current == 0 ? copy0 : copy1;
        }
        else
        {
            _current = valid0 ? 0 : 1;
            _record = valid0 ? copy0 : copy1;
            repaired = 1 - _current;
            WriteCopy(repaired.Value, _record);
            _device.Flush();
        }

        return new DualCopyRead<TRecord>(_record, valid0, valid1, repaired);
    }

    /// <summary>
    /// Reads both copies and reports the newest valid one without repairing anything (for
    /// inspection tools that must not write). Does not change <see cref="Current"/>.
    /// </summary>
    public DualCopyRead<TRecord> Peek()
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out TRecord copy0);
        bool valid1 = ReadCopy(1, buffer, out TRecord copy1);
        TRecord? newest = valid0 && valid1 ? (copy1.Sequence > copy0.Sequence ? copy1 : copy0) : valid0 ? copy0 : valid1 ? copy1 : null;
        return new DualCopyRead<TRecord>(newest, valid0, valid1, null);
    }

    /// <summary>
    /// Stores <paramref name="record"/> as the new state: sequence = current + 1, written over the
    /// copy that does not hold the current state, then a flush. Returns the record as stored.
    /// Throws <see cref="InvalidOperationException"/> when there is no current state.
    /// </summary>
    public TRecord Update(TRecord record)
    {
        if (_current < 0)
        {
            throw new InvalidOperationException("read (or format) the store before updating it");
        }

        TRecord next = record.WithSequence(_record.Sequence + 1);
        int target = 1 - _current;
        WriteCopy(target, next);
        _device.Flush();
        _current = target;
        _record = next;
        return next;
    }

    /// <summary>
    /// Writes <paramref name="record"/>, as given, to both copies: copy 0, flush, copy 1, flush. A
    /// cut after the first flush leaves copy 0 valid and copy 1 old or torn, which the next read
    /// repairs; the caller picks a sequence above any a stale copy may hold.
    /// </summary>
    public void Format(TRecord record)
    {
        WriteCopy(0, record);
        _device.Flush();
        WriteCopy(1, record);
        _device.Flush();
        _current = 0;
        _record = record;
    }

    private bool ReadCopy(int copy, byte[] buffer, out TRecord record)
    {
        _device.Read(SectorOf(copy), buffer);
        return TRecord.TryParse(buffer, out record);
    }

    private void WriteCopy(int copy, TRecord record)
    {
        byte[] buffer = new byte[_copyBytes];
        record.WriteTo(buffer);
        _device.Write(SectorOf(copy), buffer);
    }

    private long SectorOf(int copy) => copy == 0 ? _copy0Sector : _copy1Sector;
}
