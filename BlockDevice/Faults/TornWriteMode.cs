namespace RecoverySim.BlockDevice.Faults;

/// <summary>What part of the write that a power cut interrupts reaches the medium.</summary>
public enum TornWriteMode
{
    /// <summary>None of its sectors (the write never started).</summary>
    Nothing,

    /// <summary>A seeded prefix of its sectors, from none to all of them (sectors go out in ascending order).</summary>
    Prefix,

    /// <summary>A seeded subset of its sectors, each independently (a device that reorders within one command).</summary>
    Subset,
}
