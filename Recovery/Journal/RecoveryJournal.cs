using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Recovery.Journal;

/// <summary>
/// The recovery journal in the journal region of <c>misc</c> (<see cref="MiscLayout.RecoveryJournalOffset"/>):
/// two copies of a <see cref="RecoveryJournalRecord"/> in a <see cref="DualCopyStore{TRecord}"/>,
/// the same write order as the boot control block (the new state over the older copy, then a
/// flush), so a cut in any journal write leaves the old state or the new one.
/// </summary>
public sealed class RecoveryJournal
{
    /// <summary>Byte offset of copy 0 in <c>misc</c>.</summary>
    public const long Copy0Offset = MiscLayout.RecoveryJournalOffset;

    /// <summary>Byte offset of copy 1 in <c>misc</c> (its own 4 KiB region: a torn write of one copy never reaches the other).</summary>
    public const long Copy1Offset = MiscLayout.RecoveryJournalOffset + 4096;

    private readonly DualCopyStore<RecoveryJournalRecord> _store;

    /// <summary>Creates the journal over the <c>misc</c> partition.</summary>
    public RecoveryJournal(IBlockDevice misc)
    {
        ArgumentNullException.ThrowIfNull(misc);
        if (misc.SectorCount * misc.SectorSize < MiscLayout.MinimumSize)
        {
            throw new ArgumentException($"misc holds {misc.SectorCount * misc.SectorSize} bytes; the recovery journal needs {MiscLayout.MinimumSize}", nameof(misc));
        }

        _store = new DualCopyStore<RecoveryJournalRecord>(misc, Copy0Offset, Copy1Offset);
    }

    /// <summary>
    /// Reads both copies and returns the newest valid one (repairing a damaged copy from it), or
    /// <see cref="RecoveryJournalRecord.Idle"/> when neither is valid: a journal that was never
    /// written, or whose first write was cut, describes no work (nothing of a slot was written before it).
    /// </summary>
    public RecoveryJournalRecord Read() => _store.Read().Newest ?? RecoveryJournalRecord.Idle;

    /// <summary>Reads without repairing anything (inspection).</summary>
    public RecoveryJournalRecord Peek() => _store.Peek().Newest ?? RecoveryJournalRecord.Idle;

    /// <summary>
    /// Stores <paramref name="record"/> as the new state: one copy written and flushed (both copies,
    /// one after the other, when no valid copy exists yet). Returns the record as stored.
    /// </summary>
    public RecoveryJournalRecord Write(RecoveryJournalRecord record)
    {
        if (_store.Current is null)
        {
            // No valid copy: write both (copy 0, flush, copy 1, flush). A cut in the first write
            // leaves no valid copy, which reads as idle: nothing after this record has happened yet.
            RecoveryJournalRecord first = record with { Sequence = Math.Max(record.Sequence, _store.Peek().Newest?.Sequence ?? 0) + 1 };
            _store.Format(first);
            return first;
        }

        return _store.Update(record);
    }
}
