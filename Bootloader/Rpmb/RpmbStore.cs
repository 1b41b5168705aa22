using RecoverySim.BlockDevice;

namespace RecoverySim.Bootloader.Rpmb;

/// <summary>
/// The simulated RPMB (<c>rpmb.bin</c>): rollback-index counters that only go up, each write
/// atomic (docs/FORMAT.md "rpmb").
/// </summary>
/// <remarks>
/// Real RPMB makes a write atomic in hardware. Here, as for the boot control block, two copies
/// with a write counter and a CRC32 give the same guarantee: a write goes over the copy that does
/// not hold the current state, then the device is flushed. A cut before the flush returns leaves
/// that copy old, torn or new, and the other copy intact, so a read sees the old counters or the
/// new ones. A damaged copy found on read is rewritten from the good one before anything else.
/// </remarks>
public sealed class RpmbStore
{
    /// <summary>Byte offset of copy 0.</summary>
    public const long Copy0Offset = 0;

    /// <summary>Byte offset of copy 1 (4 KiB apart so the copies never share a sector).</summary>
    public const long Copy1Offset = 4096;

    /// <summary>Size of a fresh <c>rpmb.bin</c>.</summary>
    public const long DeviceSize = 8192;

    private readonly IBlockDevice _device;
    private readonly int _copyBytes;
    private int _current = -1;
    private RpmbBlock _block;

    /// <summary>Creates a store over <paramref name="device"/> (at least <see cref="DeviceSize"/> bytes).</summary>
    public RpmbStore(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.SectorSize > Copy1Offset || device.SectorCount * device.SectorSize < DeviceSize)
        {
            throw new RpmbException($"rpmb device of {device.SectorCount * device.SectorSize} bytes with {device.SectorSize}-byte sectors; expected at least {DeviceSize} bytes and sectors of at most {Copy1Offset}");
        }

        _device = device;
        _copyBytes = Math.Max(device.SectorSize, RpmbBlock.Size);
    }

    /// <summary>True when the last <see cref="Read"/> found a damaged copy and rewrote it.</summary>
    public bool RepairedOnRead { get; private set; }

    /// <summary>
    /// Reads the counters: the valid copy with the highest write counter. Throws
    /// <see cref="RpmbException"/> when neither copy is valid (tampering or a board never created).
    /// </summary>
    public RollbackIndexes Read()
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out RpmbBlock copy0);
        bool valid1 = ReadCopy(1, buffer, out RpmbBlock copy1);
        RepairedOnRead = false;
        if (!valid0 && !valid1)
        {
            throw new RpmbException("rpmb.bin holds no valid copy: the rollback indexes are lost (replay-protected storage damaged)");
        }

        if (valid0 && valid1)
        {
            _current = copy1.WriteCounter > copy0.WriteCounter ? 1 : 0;
            _block = _current == 0 ? copy0 : copy1;
        }
        else
        {
            _current = valid0 ? 0 : 1;
            _block = valid0 ? copy0 : copy1;
            WriteCopy(1 - _current, _block);
            _device.Flush();
            RepairedOnRead = true;
        }

        return _block.Indexes;
    }

    /// <summary>
    /// Reads the counters of the newest valid copy without repairing anything (for inspection
    /// tools that must not write); null when neither copy is valid. <paramref name="validCopies"/>
    /// says how many copies are valid (0, 1 or 2).
    /// </summary>
    public RollbackIndexes? Peek(out int validCopies)
    {
        byte[] buffer = new byte[_copyBytes];
        bool valid0 = ReadCopy(0, buffer, out RpmbBlock copy0);
        bool valid1 = ReadCopy(1, buffer, out RpmbBlock copy1);
        validCopies = (valid0 ? 1 : 0) + (valid1 ? 1 : 0);
        return valid0 && valid1 ? (copy1.WriteCounter > copy0.WriteCounter ? copy1 : copy0).Indexes
            : valid0 ? copy0.Indexes : valid1 ? copy1.Indexes : null;
    }

    /// <summary>
    /// Raises the counters of <paramref name="raises"/> (location, value) in one atomic write.
    /// Values at or below the stored ones change nothing; when nothing changes nothing is written.
    /// Returns the counters as stored.
    /// </summary>
    public RollbackIndexes Raise(IEnumerable<(int Location, ulong Value)> raises)
    {
        ArgumentNullException.ThrowIfNull(raises);
        if (_current < 0)
        {
            Read();
        }

        RollbackIndexes next = _block.Indexes;
        foreach ((int location, ulong value) in raises)
        {
            next = next.Raise(location, value);
        }

        if (next.Equals(_block.Indexes))
        {
            return next;
        }

        var block = new RpmbBlock(_block.WriteCounter + 1, next);
        int target = 1 - _current;
        WriteCopy(target, block);
        _device.Flush();
        _current = target;
        _block = block;
        return next;
    }

    /// <summary>Formats a new store: both copies with every counter at 0 (copy 0, flush, copy 1, flush).</summary>
    public void Format()
    {
        var block = new RpmbBlock(1, RollbackIndexes.Zero);
        WriteCopy(0, block);
        _device.Flush();
        WriteCopy(1, block);
        _device.Flush();
        _current = 0;
        _block = block;
    }

    private bool ReadCopy(int copy, byte[] buffer, out RpmbBlock block)
    {
        _device.Read(SectorOf(copy), buffer);
        return RpmbBlock.TryParse(buffer, out block);
    }

    private void WriteCopy(int copy, RpmbBlock block)
    {
        byte[] buffer = new byte[_copyBytes];
        block.WriteTo(buffer);
        _device.Write(SectorOf(copy), buffer);
    }

    private long SectorOf(int copy) => (copy == 0 ? Copy0Offset : Copy1Offset) / _device.SectorSize;
}
