namespace RecoverySim.Bootloader.Control;

/// <summary>What <see cref="BootControlStore.Read"/> found in <c>misc</c>.</summary>
/// <param name="Block">The newest valid copy, or null when neither copy is valid.</param>
/// <param name="Copy0Valid">Copy 0 parsed with a good CRC.</param>
/// <param name="Copy1Valid">Copy 1 parsed with a good CRC.</param>
/// <param name="RepairedCopy">The copy index (0 or 1) that was damaged and has been rewritten from the other, or null.</param>
public readonly record struct BootControlRead(BootControlBlock? Block, bool Copy0Valid, bool Copy1Valid, int? RepairedCopy);
