namespace RecoverySim.Bootloader.Control;

/// <summary>
/// One of the two slots of an A/B board. Profile <c>single</c> uses <see cref="A"/> only.
/// </summary>
public enum Slot
{
    /// <summary>Slot <c>a</c>: partitions with the suffix <c>_a</c>.</summary>
    A = 0,

    /// <summary>Slot <c>b</c>: partitions with the suffix <c>_b</c>.</summary>
    B = 1,
}
