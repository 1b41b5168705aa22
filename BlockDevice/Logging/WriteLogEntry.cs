namespace RecoverySim.BlockDevice.Logging;

/// <summary>One recorded operation of a <see cref="WriteLog"/>.</summary>
/// <param name="Kind">The operation.</param>
/// <param name="Sector">First sector (0 for a flush).</param>
/// <param name="SectorCount">Sectors written or discarded (0 for a flush).</param>
/// <param name="Flags">Write flags (<see cref="WriteFlags.None"/> for a flush or discard).</param>
public readonly record struct WriteLogEntry(WriteLogEntryKind Kind, long Sector, long SectorCount, WriteFlags Flags)
{
    /// <summary>True for a write or discard that is volatile until the next flush (everything but FUA writes and flushes).</summary>
    public bool IsVolatile => Kind == WriteLogEntryKind.Discard || (Kind == WriteLogEntryKind.Write && (Flags & WriteFlags.ForceUnitAccess) == 0);

    /// <summary>True when the entry changes sector <paramref name="sector"/>.</summary>
    public bool Covers(long sector) => Kind != WriteLogEntryKind.Flush && sector >= Sector && sector < Sector + SectorCount;
}
