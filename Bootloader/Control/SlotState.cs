using System.Buffers.Binary;

namespace RecoverySim.Bootloader.Control;

/// <summary>
/// The boot state of one slot inside the boot control block (docs/FORMAT.md "boot-control-block"),
/// the fields of Android's <c>slot_metadata</c>: priority, tries remaining, successful flag, plus
/// the reason the slot was made unbootable.
/// </summary>
/// <param name="Priority">0 (never boot) to <see cref="MaxPriority"/>; the higher boots first.</param>
/// <param name="TriesRemaining">Boots left before a not-yet-successful slot is given up, 0 to <see cref="MaxTries"/>.</param>
/// <param name="Successful">The OS marked this slot successful; it no longer spends tries.</param>
/// <param name="Unbootable">Why the slot may not boot, or <see cref="UnbootableReason.None"/>.</param>
public readonly record struct SlotState(byte Priority, byte TriesRemaining, bool Successful, UnbootableReason Unbootable)
{
    /// <summary>Bytes of one slot record.</summary>
    public const int Size = 8;

    /// <summary>Highest priority (4 bits, as in Android's boot control).</summary>
    public const int MaxPriority = 15;

    /// <summary>Most tries a slot can hold (3 bits, as in Android's boot control).</summary>
    public const int MaxTries = 7;

    private const int PriorityOffset = 0;
    private const int TriesOffset = 1;
    private const int SuccessfulOffset = 2;
    private const int ReasonOffset = 3;
    private const int ReservedOffset = 4;

    /// <summary>A slot that never boots: priority 0, no tries.</summary>
    public static SlotState Empty => new(0, 0, false, UnbootableReason.None);

    /// <summary>
    /// Whether the slot may be chosen: priority above 0, not marked unbootable, and either
    /// successful or with tries left (libavb <c>slot_is_bootable</c>).
    /// </summary>
    public bool IsBootable => Priority > 0 && Unbootable == UnbootableReason.None && (Successful || TriesRemaining > 0);

    /// <summary>Parses a slot record; false when a field is out of its range.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out SlotState state)
    {
        state = default;
        if (source.Length < Size)
        {
            return false;
        }

        byte priority = source[PriorityOffset];
        byte tries = source[TriesOffset];
        byte successful = source[SuccessfulOffset];
        byte reason = source[ReasonOffset];
        if (priority > MaxPriority || tries > MaxTries || successful > 1 || !Enum.IsDefined((UnbootableReason)reason)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[ReservedOffset..]) != 0)
        {
            return false;
        }

        state = new SlotState(priority, tries, successful == 1, (UnbootableReason)reason);
        return true;
    }

    /// <summary>Writes the record into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"a slot record needs {Size} bytes, got {destination.Length}", nameof(destination));
        }

        if (Priority > MaxPriority || TriesRemaining > MaxTries)
        {
            throw new ArgumentException($"priority {Priority} (max {MaxPriority}) or tries {TriesRemaining} (max {MaxTries}) out of range");
        }

        destination[PriorityOffset] = Priority;
        destination[TriesOffset] = TriesRemaining;
        destination[SuccessfulOffset] = Successful ? (byte)1 : (byte)0;
        destination[ReasonOffset] = (byte)Unbootable;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[ReservedOffset..], 0);
    }
}
