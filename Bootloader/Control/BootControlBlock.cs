using System.Buffers.Binary;
using RecoverySim.Bootloader.Storage;

namespace RecoverySim.Bootloader.Control;

/// <summary>
/// One copy of the boot control block kept in <c>misc</c> (docs/FORMAT.md "boot-control-block"):
/// the A/B slot states of Android's <c>bootloader_control</c>, U-Boot's boot counter, and a
/// recovery request, sealed by a sequence number and a CRC32. Two copies are stored; the valid
/// one with the highest <see cref="Sequence"/> wins (see <see cref="BootControlStore"/>).
/// </summary>
/// <param name="Sequence">Incremented by every update; orders the two copies.</param>
/// <param name="SlotA">State of slot <c>a</c> (the only slot of profile <c>single</c>).</param>
/// <param name="SlotB">State of slot <c>b</c>.</param>
/// <param name="BootCount">Power-ons since the OS last marked a slot successful (U-Boot <c>bootcount</c>).</param>
/// <param name="Recovery">A pending recovery request.</param>
public readonly record struct BootControlBlock(ulong Sequence, SlotState SlotA, SlotState SlotB, uint BootCount, RecoveryRequest Recovery)
    : IDualCopyRecord<BootControlBlock>
{
    /// <summary>Bytes of one copy.</summary>
    public const int Size = 512;

    /// <summary>The magic, "RSBC" in ASCII.</summary>
    public const uint Magic = 0x43425352;

    /// <summary>The layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    // Magic, version, record size (the envelope's shape field) and sequence: RecordEnvelope's header.
    private const int SlotAOffset = RecordEnvelope.HeaderSize;
    private const int SlotBOffset = 24;
    private const int BootCountOffset = 32;
    private const int RecoveryReasonOffset = 36;
    private const int RecoverySourceOffset = 37;
    private const int RecoveriesOffset = 38;

    static int IDualCopyRecord<BootControlBlock>.Size => Size;

    /// <summary>
    /// Recoveries completed since the OS last marked a slot successful (byte 38; 0 in copies
    /// written before it existed). Recovery mode stops reflashing, without a user's request, once
    /// it reaches <c>RecoveryOptions.MaxRecoveriesWithoutSuccess</c>: a golden image that never
    /// comes up healthy must not be flashed in an endless loop.
    /// </summary>
    public byte RecoveriesWithoutSuccess { get; init; }

    /// <summary>The state of <paramref name="slot"/>.</summary>
    public SlotState this[Slot slot] => slot == Slot.A ? SlotA : SlotB;

    /// <summary>This block with <paramref name="slot"/> set to <paramref name="state"/>.</summary>
    public BootControlBlock With(Slot slot, SlotState state) => slot == Slot.A ? this with { SlotA = state } : this with { SlotB = state };

    /// <summary>
    /// The factory state (libavb <c>avb_ab_data_init</c>): slot <c>a</c> priority 15, slot <c>b</c>
    /// priority 14, both with <paramref name="maxTries"/> tries and not yet successful.
    /// </summary>
    public static BootControlBlock Factory(int maxTries, ulong sequence = 0)
    {
        if (maxTries is < 1 or > SlotState.MaxTries)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTries), maxTries, $"tries must be 1 to {SlotState.MaxTries}");
        }

        return new BootControlBlock(sequence,
            new SlotState(SlotState.MaxPriority, (byte)maxTries, false, UnbootableReason.None),
            new SlotState(SlotState.MaxPriority - 1, (byte)maxTries, false, UnbootableReason.None),
            0, RecoveryRequest.None);
    }

    /// <summary>
    /// Parses one copy: false when the magic, version, size, CRC or a field is wrong (a torn or
    /// damaged copy, which the store then ignores and rewrites).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out BootControlBlock block)
    {
        block = default;
        if (!RecordEnvelope.TryOpen(source, Size, Magic, CurrentVersion, Size, out ulong sequence))
        {
            return false;
        }

        if (!SlotState.TryParse(source[SlotAOffset..], out SlotState a) || !SlotState.TryParse(source[SlotBOffset..], out SlotState b))
        {
            return false;
        }

        byte reason = source[RecoveryReasonOffset];
        byte from = source[RecoverySourceOffset];
        if (!Enum.IsDefined((RecoveryReason)reason) || !Enum.IsDefined((RecoverySource)from))
        {
            return false;
        }

        block = new BootControlBlock(
            sequence, a, b,
            BinaryPrimitives.ReadUInt32LittleEndian(source[BootCountOffset..]),
            new RecoveryRequest((RecoveryReason)reason, (RecoverySource)from))
        {
            RecoveriesWithoutSuccess = source[RecoveriesOffset],
        };
        return true;
    }

    /// <summary>Parses one copy or throws <see cref="BootControlException"/>.</summary>
    public static BootControlBlock Parse(ReadOnlySpan<byte> source) =>
        TryParse(source, out BootControlBlock block) ? block
            : throw new BootControlException($"not a valid boot control block copy ({Size} bytes with magic RSBC, version {CurrentVersion} and a matching CRC32 expected)");

    /// <summary>Writes the copy, with its CRC, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        Span<byte> record = RecordEnvelope.Fit(destination, Size, "a boot control block");
        RecordEnvelope.WriteHeader(record, Magic, CurrentVersion, Size, Sequence);
        SlotA.WriteTo(record[SlotAOffset..]);
        SlotB.WriteTo(record[SlotBOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record[BootCountOffset..], BootCount);
        record[RecoveryReasonOffset] = (byte)Recovery.Reason;
        record[RecoverySourceOffset] = (byte)Recovery.Source;
        record[RecoveriesOffset] = RecoveriesWithoutSuccess;
        RecordEnvelope.Seal(record);
    }

    BootControlBlock IDualCopyRecord<BootControlBlock>.WithSequence(ulong sequence) => this with { Sequence = sequence };
}
