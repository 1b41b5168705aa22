namespace RecoverySim.Bootloader.Control;

/// <summary>
/// The A/B slot rules as pure functions over a <see cref="BootControlBlock"/>, after libavb's
/// <c>avb_ab_flow</c> and Android's boot control HAL: which slot boots, how tries are spent,
/// what marking a slot active, successful or unbootable changes. The boot flow applies them and
/// persists the result; tests compare them with a plain model.
/// </summary>
public static class AbRules
{
    /// <summary>
    /// The highest-priority bootable slot of <paramref name="block"/> among <paramref name="slots"/>,
    /// slot <c>a</c> on a tie (as libavb), or null when none is bootable.
    /// </summary>
    public static Slot? Choose(BootControlBlock block, IReadOnlyList<Slot> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        Slot? best = null;
        foreach (Slot slot in slots)
        {
            SlotState state = block[slot];
            if (state.IsBootable && (best is null || state.Priority > block[best.Value].Priority))
            {
                best = slot;
            }
        }

        return best;
    }

    /// <summary>
    /// libavb's <c>slot_normalize</c>: a slot with priority but neither tries nor success is given
    /// up (<see cref="UnbootableReason.TriesExhausted"/>); a slot without priority keeps no tries
    /// and no success flag. Returns the slots it gave up in <paramref name="exhausted"/>.
    /// </summary>
    public static BootControlBlock Normalize(BootControlBlock block, IReadOnlyList<Slot> slots, out IReadOnlyList<Slot> exhausted)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var given = new List<Slot>();
        foreach (Slot slot in slots)
        {
            SlotState state = block[slot];
            if (state.Priority > 0 && state.Unbootable == UnbootableReason.None && !state.Successful && state.TriesRemaining == 0)
            {
                block = MarkUnbootable(block, slot, UnbootableReason.TriesExhausted);
                given.Add(slot);
            }
            else if (state.Priority == 0 && (state.TriesRemaining != 0 || state.Successful))
            {
                block = block.With(slot, state with { TriesRemaining = 0, Successful = false });
            }
            else if (state.Priority > 0 && state.Unbootable != UnbootableReason.None)
            {
                block = block.With(slot, state with { Priority = 0, TriesRemaining = 0, Successful = false });
            }
        }

        exhausted = given;
        return block;
    }

    /// <summary>Spends one try of <paramref name="slot"/> if it is not yet successful (before booting it).</summary>
    public static BootControlBlock SpendTry(BootControlBlock block, Slot slot)
    {
        SlotState state = block[slot];
        return state.Successful || state.TriesRemaining == 0 ? block
            : block.With(slot, state with { TriesRemaining = (byte)(state.TriesRemaining - 1) });
    }

    /// <summary>Marks <paramref name="slot"/> unbootable for <paramref name="reason"/>: priority 0, no tries, not successful.</summary>
    public static BootControlBlock MarkUnbootable(BootControlBlock block, Slot slot, UnbootableReason reason)
    {
        if (reason == UnbootableReason.None)
        {
            throw new ArgumentException("an unbootable slot needs a reason", nameof(reason));
        }

        return block.With(slot, new SlotState(0, 0, false, reason));
    }

    /// <summary>
    /// The OS marks <paramref name="slot"/> successful (boot control HAL <c>markBootSuccessful</c>):
    /// success set, tries cleared, and the boot counter and the count of recoveries without
    /// success back to 0 (U-Boot's <c>bootcount</c> reset).
    /// </summary>
    public static BootControlBlock MarkSuccessful(BootControlBlock block, Slot slot)
    {
        SlotState state = block[slot];
        return block.With(slot, state with { Successful = true, TriesRemaining = 0 }) with { BootCount = 0, RecoveriesWithoutSuccess = 0 };
    }

    /// <summary>
    /// Makes <paramref name="slot"/> the one to boot next (boot control HAL <c>setActiveBootSlot</c>,
    /// libavb <c>avb_ab_mark_slot_active</c>): top priority, <paramref name="maxTries"/> tries, not
    /// successful, no unbootable reason; the other slot drops below it if it was at the top.
    /// The boot counter restarts too: a newly activated slot gets its full tries.
    /// </summary>
    public static BootControlBlock SetActive(BootControlBlock block, Slot slot, int maxTries)
    {
        if (maxTries is < 1 or > SlotState.MaxTries)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTries), maxTries, $"tries must be 1 to {SlotState.MaxTries}");
        }

        block = block.With(slot, new SlotState(SlotState.MaxPriority, (byte)maxTries, false, UnbootableReason.None)) with { BootCount = 0 };
        Slot other = SlotNames.Other(slot);
        SlotState otherState = block[other];
        if (otherState.Priority >= SlotState.MaxPriority)
        {
            block = block.With(other, otherState with { Priority = SlotState.MaxPriority - 1 });
        }

        return block;
    }

    /// <summary>
    /// Asks for recovery mode at the next power-on (the OS, a user, or the bootloader itself):
    /// the boot flow honours the request before it looks at any slot, until recovery clears it.
    /// </summary>
    public static BootControlBlock RequestRecovery(BootControlBlock block, RecoveryReason reason, RecoverySource source)
    {
        if (reason == RecoveryReason.None)
        {
            throw new ArgumentException("a recovery request needs a reason", nameof(reason));
        }

        return block with { Recovery = new RecoveryRequest(reason, source) };
    }

    /// <summary>Clears a recovery request (recovery mode, once it has done its work).</summary>
    public static BootControlBlock ClearRecovery(BootControlBlock block) => block with { Recovery = RecoveryRequest.None };
}
