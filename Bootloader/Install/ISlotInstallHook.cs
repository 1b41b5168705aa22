namespace RecoverySim.Bootloader.Install;

/// <summary>
/// Told by <see cref="SlotInstaller"/> when each step of an install has reached the medium, so a
/// caller can journal its progress between the steps (recovery mode's journal, an update agent's).
/// Each call comes after the flush that made the step durable; a power cut inside a call leaves
/// the step done but not yet recorded, which the order in docs/FORMAT.md ("Slot installer") makes safe.
/// </summary>
public interface ISlotInstallHook
{
    /// <summary>The header region of every target is zero and flushed: no target holds a valid image any more.</summary>
    void HeaderCleared();

    /// <summary>The first <paramref name="payloadBytes"/> bytes of the payload are on the medium of every target.</summary>
    void PayloadDurable(long payloadBytes);

    /// <summary>The header is written and flushed, and every target read back matches the image.</summary>
    void Installed();
}
