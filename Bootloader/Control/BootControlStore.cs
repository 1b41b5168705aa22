using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Control;

/// <summary>
/// The two copies of the boot control block in <c>misc</c> and the order in which they are
/// written (docs/FORMAT.md "boot-control-block", "Write order"): a
/// <see cref="DualCopyStore{TRecord}"/> at <see cref="MiscLayout.BootControlCopy0Offset"/> and
/// <see cref="MiscLayout.BootControlCopy1Offset"/>.
/// </summary>
/// <remarks>
/// An update never touches the copy that holds the current state: it writes the new state, with
/// the sequence number one higher, over the other copy, then flushes. A power cut before the flush
/// returns leaves that copy old, torn (bad CRC) or new; the untouched copy still holds the old
/// state, so the next read sees the old state or the new one, never anything else. When one copy
/// is damaged on read, it is rewritten from the valid one and flushed before anything else is
/// written, so the next update again has an intact copy to fall back to.
/// </remarks>
public sealed class BootControlStore
{
    private readonly DualCopyStore<BootControlBlock> _store;

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

        _store = new DualCopyStore<BootControlBlock>(misc, MiscLayout.BootControlCopy0Offset, MiscLayout.BootControlCopy1Offset);
    }

    /// <summary>The state last read or written; throws before the first <see cref="Read"/>.</summary>
    public BootControlBlock Current => _store.Current
        ?? throw new InvalidOperationException("read the boot control block before using it");

    /// <summary>The state last read or written, or null before the first <see cref="Read"/> (or after one that found no valid copy).</summary>
    public BootControlBlock? Known => _store.Current;

    /// <summary>
    /// Reads both copies, picks the valid one with the highest sequence number (copy 0 on a tie)
    /// and rewrites a damaged copy from it. With no valid copy, returns a null block and the
    /// caller decides (the boot flow resets to the factory state, as libavb does).
    /// </summary>
    public BootControlRead Read() => ToBootControlRead(_store.Read());

    /// <summary>
    /// Reads both copies and reports the newest valid one without repairing anything (for
    /// inspection tools that must not write). Does not change what <see cref="Current"/> says.
    /// </summary>
    public BootControlRead Peek() => ToBootControlRead(_store.Peek());

    /// <summary>
    /// Writes <paramref name="block"/> as the new state: sequence = current + 1, over the copy
    /// that does not hold the current state, then flushes. Returns the block as stored.
    /// </summary>
    public BootControlBlock Write(BootControlBlock block)
    {
        if (_store.Current is null)
        {
            throw new InvalidOperationException("read (or initialize) the boot control block before updating it");
        }

        return _store.Update(block);
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
        _store.Format(stored);
        return stored;
    }

    /// <summary>The highest sequence number of either copy whose CRC is good, or 0; used before <see cref="Initialize"/>.</summary>
    public ulong HighestSequence() => _store.Peek().Newest?.Sequence ?? 0;

    private static BootControlRead ToBootControlRead(DualCopyRead<BootControlBlock> read) =>
        new(read.Newest, read.Copy0Valid, read.Copy1Valid, read.RepairedCopy);
}
