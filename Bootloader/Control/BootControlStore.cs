using RecoverySim.BlockDevice;

namespace RecoverySim.Bootloader.Control;

/// <summary>
/// The two copies of the boot control block in <c>misc</c> and the order in which they are
/// written (docs/FORMAT.md "boot-control-block", "Write order").
/// </summary>
/// <remarks>
/// <para>An update never touches the copy that holds the current state: it writes the new
/// state, with the sequence number one higher, over the other copy, then flushes. A power cut
/// before the flush returns leaves that copy old, torn (bad CRC) or new; the untouched copy
/// still holds the old state, so the next read sees the old state or the new one, never
/// anything else. When one copy is damaged on read, it is rewritten from the valid one and
/// flushed before anything else is written, so the next update again has an intact copy to
/// fall back to.</para>
/// </remarks>
public sealed class BootControlStore
{
    private readonly IBlockDevice _misc;
    private readonly int _copyBytes;
    private int _current = -1;
    private BootControlBlock _block;

    /// <summary>Creates a store over the <c>misc</c> partition (or any device of at least 8 KiB).</summary>
    public BootControlStore(IBlockDevice misc)
    {
        ArgumentNullException.ThrowIfNull(misc);
        if (misc.SectorSize > MiscLayout.BootControlRegionSize)
        {
            throw new BootControlException($"misc has {misc.SectorSize}-byte sectors; the boot control block supports at most {MiscLayout.BootControlRegionSize}");
        }

        if (misc.SectorCount * misc.SectorSize < MiscLayout.BootControlCopy1Offset + MiscLayout.BootControlRegionSize)
        {
            throw new BootControlException($"misc holds {misc.SectorCount * misc.SectorSize} bytes; the boot control block needs at least {MiscLayout.BootControlCopy1Offset + MiscLayout.BootControlRegionSize}");
        }

        _misc = misc;
        _copyBytes = Math.Max(misc.SectorSize, BootControlBlock.Size);
    }

    /// <summary>The state last read or written; throws before the first <see cref="Read"/>.</summary>
    public BootControlBlock Current => _current >= 0 ? _block
        : throw new InvalidOperationException("read the boot control block before using it");

    /// <summary>
    /// Reads both copies, picks the valid one with the highest sequence number (copy 0 on a tie)
    /// and rewrites a damaged copy from it. With no valid copy, returns a null block and the
    /// caller decides (the boot flow resets to the factory state, as libavb does).
    /// </summary>
    public BootControlRead Read()
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out BootControlBlock copy0);
        bool valid1 = ReadCopy(1, buffer, out BootControlBlock copy1);
        if (!valid0 && !valid1)
        {
            _current = -1;
            return new BootControlRead(null, false, false, null);
        }

        int? repaired = null;
        if (valid0 && valid1)
        {
            _current = copy1.Sequence > copy0.Sequence ? 1 : 0;
            _block = _current == 0 ? copy0 : copy1;
        }
        else
        {
            _current = valid0 ? 0 : 1;
            _block = valid0 ? copy0 : copy1;
            repaired = 1 - _current;
            WriteCopy(repaired.Value, _block);
            _misc.Flush();
        }

        return new BootControlRead(_block, valid0, valid1, repaired);
    }

    /// <summary>
    /// Reads both copies and reports the newest valid one without repairing anything (for
    /// inspection tools that must not write). Does not change what <see cref="Current"/> says.
    /// </summary>
    public BootControlRead Peek()
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out BootControlBlock copy0);
        bool valid1 = ReadCopy(1, buffer, out BootControlBlock copy1);
        BootControlBlock? newest = valid0 && valid1 ? (copy1.Sequence > copy0.Sequence ? copy1 : copy0) : valid0 ? copy0 : valid1 ? copy1 : null;
        return new BootControlRead(newest, valid0, valid1, null);
    }

    /// <summary>
    /// Writes <paramref name="block"/> as the new state: sequence = current + 1, over the copy
    /// that does not hold the current state, then flushes. Returns the block as stored.
    /// </summary>
    public BootControlBlock Write(BootControlBlock block)
    {
        if (_current < 0)
        {
            throw new InvalidOperationException("read (or initialize) the boot control block before updating it");
        }

        BootControlBlock next = block with { Sequence = _block.Sequence + 1 };
        int target = 1 - _current;
        WriteCopy(target, next);
        _misc.Flush();
        _current = target;
        _block = next;
        return next;
    }

    /// <summary>
    /// Writes <paramref name="block"/> to both copies (factory flash, or a reset after both copies
    /// were found damaged): copy 0, flush, copy 1, flush. A cut after the first flush leaves copy 0
    /// valid and copy 1 old or torn, which the next read repairs. Sequence numbers continue above
    /// <paramref name="minimumSequence"/> so that a stale copy can never win afterwards.
    /// </summary>
    public BootControlBlock Initialize(BootControlBlock block, ulong minimumSequence = 0)
    {
        BootControlBlock stored = block with { Sequence = Math.Max(block.Sequence, minimumSequence + 1) };
        WriteCopy(0, stored);
        _misc.Flush();
        WriteCopy(1, stored);
        _misc.Flush();
        _current = 0;
        _block = stored;
        return stored;
    }

    /// <summary>The highest sequence number of either copy whose CRC is good, or 0; used before <see cref="Initialize"/>.</summary>
    public ulong HighestSequence()
    {
        byte[] buffer = new byte[_copyBytes];
        ulong highest = 0;
        for (int copy = 0; copy < 2; copy++)
        {
            if (ReadCopy(copy, buffer, out BootControlBlock block))
            {
                highest = Math.Max(highest, block.Sequence);
            }
        }

        return highest;
    }

    private bool ReadCopy(int copy, byte[] buffer, out BootControlBlock block)
    {
        _misc.Read(SectorOf(copy), buffer);
        return BootControlBlock.TryParse(buffer, out block);
    }

    private void WriteCopy(int copy, BootControlBlock block)
    {
        byte[] buffer = new byte[_copyBytes];
        block.WriteTo(buffer);
        _misc.Write(SectorOf(copy), buffer);
    }

    private long SectorOf(int copy) =>
        (copy == 0 ? MiscLayout.BootControlCopy0Offset : MiscLayout.BootControlCopy1Offset) / _misc.SectorSize;
}
