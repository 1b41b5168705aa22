namespace RecoverySim.Bootloader.Os;

/// <summary>What the OS may ask of the boot control (Android's boot control HAL).</summary>
public interface IBootControlHal
{
    /// <summary>Marks the running slot successful; the bootloader then raises the rollback indexes.</summary>
    void MarkBootSuccessful();
}
