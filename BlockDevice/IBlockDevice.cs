namespace RecoverySim.BlockDevice;

/// <summary>
/// A device of fixed-size sectors, the storage contract of every layer above (GPT, the board's
/// partitions, fault injection). Documented as littlefs documents <c>lfs_config</c>: units,
/// alignment, and what a failure means, for each member.
/// </summary>
/// <remarks>
/// <para>The API is synchronous and span-based on purpose: a block device is local storage
/// that the simulator drives millions of times per power-cut campaign, spans cannot cross an
/// <c>await</c>, and littlefs's contract is synchronous too. Network I/O is async elsewhere.</para>
/// <para>Durability: a write is volatile until <see cref="Flush"/> returns, unless it was
/// written with <see cref="WriteFlags.ForceUnitAccess"/>, in which case it is durable when
/// <see cref="Write"/> returns. A device without a cache may make every write durable at once;
/// callers must not rely on that.</para>
/// <para>Errors: an argument out of range (a sector past the end, a buffer that is not a
/// whole number of sectors) is a caller's bug and throws <see cref="ArgumentException"/>
/// (or <see cref="ArgumentOutOfRangeException"/>) before anything is read or written. A fault
/// of the medium throws a <see cref="BlockDeviceException"/> subtype: <see cref="PowerLossException"/>
/// when power is gone (every later call fails too, until power returns),
/// <see cref="MediumException"/> for a read error, a bad sector or a write-protected range.
/// After a failed write the content of the sectors it addressed is unspecified: any mix of old,
/// new and (on a torn write) garbage sectors, which is what power-cut tests explore.</para>
/// <para>Thread safety: none. One caller at a time, as on a real bus.</para>
/// </remarks>
public interface IBlockDevice : IDisposable
{
    /// <summary>Bytes per sector: a power of two, at least 512. Fixed for the device's life.</summary>
    int SectorSize { get; }

    /// <summary>Number of sectors. Fixed for the device's life; at least 1.</summary>
    long SectorCount { get; }

    /// <summary>
    /// Reads whole sectors starting at <paramref name="sector"/> into <paramref name="buffer"/>,
    /// whose length must be a multiple of <see cref="SectorSize"/> (0 is allowed and does nothing),
    /// with the range inside the device. Returns what was last written to each sector, durable or
    /// not; sectors never written read as zeros (or, after <see cref="Discard"/>, as zeros).
    /// </summary>
    void Read(long sector, Span<byte> buffer);

    /// <summary>
    /// Writes whole sectors starting at <paramref name="sector"/> from <paramref name="data"/>,
    /// whose length must be a multiple of <see cref="SectorSize"/>, with the range inside the
    /// device. Sectors are written in ascending order; a power cut may land any prefix or subset
    /// of them. With <see cref="WriteFlags.ForceUnitAccess"/> the data is durable on return.
    /// </summary>
    void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None);

    /// <summary>
    /// Makes every write that returned before this call durable (a cache flush, a write barrier).
    /// Writes are not reordered across a flush.
    /// </summary>
    void Flush();

    /// <summary>
    /// Tells the device that <paramref name="count"/> sectors from <paramref name="sector"/> hold
    /// nothing of value (TRIM/UNMAP). They read back as zeros. Like a write, a discard is durable
    /// only after <see cref="Flush"/>.
    /// </summary>
    void Discard(long sector, long count);
}
