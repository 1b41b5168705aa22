using System.Buffers.Binary;
using System.Text;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Recovery.Journal;

/// <summary>
/// One copy of the recovery journal (docs/FORMAT.md "Recovery journal"), kept twice in the
/// journal region of <c>misc</c> like the boot control block: which golden image (the SHA-256 of
/// its signed manifest, its release and version), from which source, into which slot, which
/// partition, and how many of its payload bytes are durable.
/// </summary>
/// <param name="Sequence">Incremented by every update; orders the two copies.</param>
/// <param name="Phase">Where the recovery stands.</param>
/// <param name="Source">The source the golden image came from.</param>
/// <param name="InstallSlot">The slot the golden image is installed into first (the other is the copy's target).</param>
/// <param name="PartitionIndex">The partition in progress: the index in the manifest's partition order.</param>
/// <param name="DurableBytes">Payload bytes of that partition that are on the medium (flushed).</param>
/// <param name="ManifestSha256">SHA-256 of the golden image's manifest (as written canonically): a resume continues only the same image.</param>
/// <param name="ReleaseId">The golden release id.</param>
/// <param name="Version">The golden version.</param>
/// <param name="RollbackIndex">The golden rollback index.</param>
/// <param name="BothSlots">The install writes both slots at once (an A/B board with no bootable slot): there is no copy phase.</param>
public readonly record struct RecoveryJournalRecord(
    ulong Sequence, RecoveryPhase Phase, RecoverySource Source, Slot InstallSlot, int PartitionIndex, long DurableBytes,
    ReadOnlyMemory<byte> ManifestSha256, string ReleaseId, string Version, ulong RollbackIndex, bool BothSlots = false) : IDualCopyRecord<RecoveryJournalRecord>
{
    /// <summary>Bytes of one copy.</summary>
    public const int Size = 512;

    /// <summary>The magic, "RSRJ" in ASCII.</summary>
    public const uint Magic = 0x4A525352;

    /// <summary>The layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Most partitions a golden image has (the manifest's limit).</summary>
    public const int MaxPartitions = 16;

    /// <summary>Longest release id and version (bytes, as in the partition header).</summary>
    public const int MaxTextBytes = 64;

    private const int PhaseOffset = RecordEnvelope.HeaderSize;   // u8
    private const int SourceOffset = 17;                         // u8
    private const int InstallSlotOffset = 18;                    // u8
    private const int PartitionIndexOffset = 19;                 // u8
    private const int BothSlotsOffset = 20;                      // u8: 0 or 1
    private const int ReservedOffset = 21;                       // 3 bytes, zero
    private const int DurableBytesOffset = 24;                   // u64
    private const int RollbackIndexOffset = 32;                  // u64
    private const int ManifestSha256Offset = 40, ManifestSha256Length = 32;
    private const int ReleaseIdOffset = 72;
    private const int VersionOffset = ReleaseIdOffset + MaxTextBytes;   // 136; 200..507 reserved, zero

    static int IDualCopyRecord<RecoveryJournalRecord>.Size => Size;

    /// <summary>The idle journal (no recovery in progress).</summary>
    public static RecoveryJournalRecord Idle { get; } = new(0, RecoveryPhase.Idle, RecoverySource.Any, Slot.A, 0, 0, new byte[ManifestSha256Length], "", "", 0);

    /// <summary>Whether the journal describes work still to do.</summary>
    public bool InProgress => Phase != RecoveryPhase.Idle;

    /// <summary>Whether <paramref name="sha256"/> is the manifest hash this journal binds.</summary>
    public bool IsFor(ReadOnlySpan<byte> sha256) => ManifestSha256.Span.SequenceEqual(sha256);

    /// <summary>
    /// Parses one copy: false when the envelope (magic, version, size, CRC) or a field is wrong —
    /// a torn or damaged copy, which the store then ignores.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out RecoveryJournalRecord record)
    {
        record = default;
        if (!RecordEnvelope.TryOpen(source, Size, Magic, CurrentVersion, Size, out ulong sequence))
        {
            return false;
        }

        byte phase = source[PhaseOffset], from = source[SourceOffset], slot = source[InstallSlotOffset], partition = source[PartitionIndexOffset], both = source[BothSlotsOffset];
        long durable = BinaryPrimitives.ReadInt64LittleEndian(source[DurableBytesOffset..]);
        if (!Enum.IsDefined((RecoveryPhase)phase) || !Enum.IsDefined((RecoverySource)from) || slot > 1 || partition >= MaxPartitions || durable < 0
            || both > 1 || source.Slice(ReservedOffset, 3).ContainsAnyExcept((byte)0)
            || !TryText(source.Slice(ReleaseIdOffset, MaxTextBytes), out string release)
            || !TryText(source.Slice(VersionOffset, MaxTextBytes), out string version))
        {
            return false;
        }

        record = new RecoveryJournalRecord(sequence, (RecoveryPhase)phase, (RecoverySource)from, (Slot)slot, partition, durable,
            source.Slice(ManifestSha256Offset, ManifestSha256Length).ToArray(), release, version,
            BinaryPrimitives.ReadUInt64LittleEndian(source[RollbackIndexOffset..]), both == 1);
        return true;
    }

    /// <summary>Writes the copy, with its CRC, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A field is out of its range (a caller's bug).</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (PartitionIndex is < 0 or >= MaxPartitions || DurableBytes < 0 || ManifestSha256.Length != ManifestSha256Length)
        {
            throw new ArgumentException($"journal record out of range: partition {PartitionIndex}, durable {DurableBytes}, manifest hash of {ManifestSha256.Length} bytes");
        }

        Span<byte> record = RecordEnvelope.Fit(destination, Size, "a recovery journal record");
        RecordEnvelope.WriteHeader(record, Magic, CurrentVersion, Size, Sequence);
        record[PhaseOffset] = (byte)Phase;
        record[SourceOffset] = (byte)Source;
        record[InstallSlotOffset] = (byte)InstallSlot;
        record[PartitionIndexOffset] = (byte)PartitionIndex;
        record[BothSlotsOffset] = BothSlots ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(record[DurableBytesOffset..], DurableBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(record[RollbackIndexOffset..], RollbackIndex);
        ManifestSha256.Span.CopyTo(record[ManifestSha256Offset..]);
        WriteText(record.Slice(ReleaseIdOffset, MaxTextBytes), ReleaseId);
        WriteText(record.Slice(VersionOffset, MaxTextBytes), Version);
        RecordEnvelope.Seal(record);
    }

    /// <inheritdoc/>
    public bool Equals(RecoveryJournalRecord other) =>
        Sequence == other.Sequence && Phase == other.Phase && Source == other.Source && InstallSlot == other.InstallSlot
        && PartitionIndex == other.PartitionIndex && DurableBytes == other.DurableBytes && ManifestSha256.Span.SequenceEqual(other.ManifestSha256.Span)
        && ReleaseId == other.ReleaseId && Version == other.Version && RollbackIndex == other.RollbackIndex && BothSlots == other.BothSlots;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence, Phase, PartitionIndex, DurableBytes, ReleaseId);

    RecoveryJournalRecord IDualCopyRecord<RecoveryJournalRecord>.WithSequence(ulong sequence) => this with { Sequence = sequence };

    private static bool TryText(ReadOnlySpan<byte> field, out string text)
    {
        // Printable ASCII, NUL-padded, nothing after the first NUL (as the partition header's text fields).
        int end = field.IndexOf((byte)0);
        ReadOnlySpan<byte> value = end < 0 ? field : field[..end];
        text = "";
        if ((end >= 0 && field[end..].ContainsAnyExcept((byte)0)) || value.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return false;
        }

        text = Encoding.ASCII.GetString(value);
        return true;
    }

    private static void WriteText(Span<byte> field, string text)
    {
        if (text.Length > MaxTextBytes || text.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"journal text '{text}' is not at most {MaxTextBytes} printable ASCII characters");
        }

        Encoding.ASCII.GetBytes(text, field);
    }
}
