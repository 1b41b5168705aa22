using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Rpmb;

/// <summary>
/// The simulated RPMB (<c>rpmb.bin</c>): rollback-index counters that only go up, each write
/// atomic (docs/FORMAT.md "rpmb").
/// </summary>
/// <remarks>
/// Real RPMB makes a write atomic in hardware. Here, as for the boot control block, two copies
/// with a write counter and a CRC32 (a <see cref="DualCopyStore{TRecord}"/>) give the same
/// guarantee: a write goes over the copy that does not hold the current state, then the device is
/// flushed. A cut before the flush returns leaves that copy old, torn or new, and the other copy
/// intact, so a read sees the old counters or the new ones. A damaged copy found on read is
/// rewritten from the good one before anything else.
/// </remarks>
public sealed class RpmbStore
{
    /// <summary>Byte offset of copy 0.</summary>
    public const long Copy0Offset = 0;

    /// <summary>Byte offset of copy 1 (4 KiB apart so the copies never share a sector).</summary>
    public const long Copy1Offset = 4096;

    /// <summary>Size of a fresh <c>rpmb.bin</c>.</summary>
    public const long DeviceSize = 8192;

    private readonly DualCopyStore<RpmbBlock> _store;

    /// <summary>Creates a store over <paramref name="device"/> (at least <see cref="DeviceSize"/> bytes).</summary>
    public RpmbStore(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.SectorSize > Copy1Offset || device.SectorCount * device.SectorSize < DeviceSize)
        {
            throw new RpmbException($"rpmb device of {device.SectorCount * device.SectorSize} bytes with {device.SectorSize}-byte sectors; expected at least {DeviceSize} bytes and sectors of at most {Copy1Offset}");
        }

        _store = new DualCopyStore<RpmbBlock>(device, Copy0Offset, Copy1Offset);
    }

    /// <summary>True when the last <see cref="Read"/> found a damaged copy and rewrote it.</summary>
    public bool RepairedOnRead { get; private set; }

    /// <summary>
    /// Reads the counters: the valid copy with the highest write counter. Throws
    /// <see cref="RpmbException"/> when neither copy is valid (tampering or a board never created).
    /// </summary>
    public RollbackIndexes Read()
    {
        DualCopyRead<RpmbBlock> read = _store.Read();
        RepairedOnRead = read.RepairedCopy is not null;
        return read.Newest?.Indexes
            ?? throw new RpmbException("rpmb.bin holds no valid copy: the rollback indexes are lost (replay-protected storage damaged)");
    }

    /// <summary>
    /// Reads the counters of the newest valid copy without repairing anything (for inspection
    /// tools that must not write); null when neither copy is valid. <paramref name="validCopies"/>
    /// says how many copies are valid (0, 1 or 2).
    /// </summary>
    public RollbackIndexes? Peek(out int validCopies)
    {
        DualCopyRead<RpmbBlock> read = _store.Peek();
        validCopies = read.ValidCopies;
        return read.Newest?.Indexes;
    }

    /// <summary>
    /// Raises the counters of <paramref name="raises"/> (location, value) in one atomic write.
    /// Values at or below the stored ones change nothing; when nothing changes nothing is written.
    /// Returns the counters as stored.
    /// </summary>
    public RollbackIndexes Raise(IEnumerable<(int Location, ulong Value)> raises)
    {
        ArgumentNullException.ThrowIfNull(raises);
        if (_store.Current is null)
        {
            Read();
        }

        RpmbBlock current = _store.Current!.Value;
        RollbackIndexes next = current.Indexes;
        foreach ((int location, ulong value) in raises)
        {
            next = next.Raise(location, value);
        }

        if (next.Equals(current.Indexes))
        {
            return next;
        }

        // The write counter becomes current + 1 in the store.
        _store.Update(current with { Indexes = next });
        return next;
    }

    /// <summary>Formats a new store: both copies with every counter at 0 (copy 0, flush, copy 1, flush).</summary>
    public void Format() => _store.Format(new RpmbBlock(1, RollbackIndexes.Zero));
}
