namespace RecoverySim.Bootloader.Control;

/// <summary>Names of slots as people and JSON see them (<c>a</c>, <c>b</c>).</summary>
public static class SlotNames
{
    /// <summary>The lower-case letter of <paramref name="slot"/>: <c>a</c> or <c>b</c>.</summary>
    public static string Name(Slot slot) => slot switch
    {
        Slot.A => "a",
        Slot.B => "b",
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "a slot is A or B"),
    };

    /// <summary>The partition suffix of <paramref name="slot"/>: <c>_a</c> or <c>_b</c>.</summary>
    public static string Suffix(Slot slot) => "_" + Name(slot);

    /// <summary>The other slot of an A/B pair.</summary>
    public static Slot Other(Slot slot) => slot == Slot.A ? Slot.B : Slot.A;

    /// <summary>Parses <c>a</c> or <c>b</c> (any case).</summary>
    public static bool TryParse(string? text, out Slot slot)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "a": slot = Slot.A; return true;
            case "b": slot = Slot.B; return true;
            default: slot = default; return false;
        }
    }
}
