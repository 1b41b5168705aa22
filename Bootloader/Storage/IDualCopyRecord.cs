namespace RecoverySim.Bootloader.Storage;

/// <summary>
/// A record that <see cref="DualCopyStore{TRecord}"/> keeps twice: a fixed size, a parser that
/// rejects a torn or damaged copy, a writer, and a sequence number that orders the two copies.
/// </summary>
/// <typeparam name="TRecord">The record type itself.</typeparam>
public interface IDualCopyRecord<TRecord>
    where TRecord : struct, IDualCopyRecord<TRecord>
{
    /// <summary>Bytes of one copy.</summary>
    static abstract int Size { get; }

    /// <summary>Orders the two copies: the valid one with the higher value is the current state.</summary>
    ulong Sequence { get; }

    /// <summary>
    /// Parses one copy from the first <see cref="Size"/> bytes of <paramref name="source"/>; false
    /// for anything but an intact copy (bad CRC, magic, version or field).
    /// </summary>
    static abstract bool TryParse(ReadOnlySpan<byte> source, out TRecord record);

    /// <summary>This record with its sequence number set to <paramref name="sequence"/>.</summary>
    TRecord WithSequence(ulong sequence);

    /// <summary>Writes the copy, sealed, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    void WriteTo(Span<byte> destination);
}
