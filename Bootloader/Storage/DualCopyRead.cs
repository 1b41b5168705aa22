namespace RecoverySim.Bootloader.Storage;

/// <summary>What <see cref="DualCopyStore{TRecord}.Read"/> or <see cref="DualCopyStore{TRecord}.Peek"/> found.</summary>
/// <typeparam name="TRecord">The record type.</typeparam>
/// <param name="Newest">The valid copy with the highest sequence (copy 0 on a tie), or null when neither copy is valid.</param>
/// <param name="Copy0Valid">Copy 0 parsed (good CRC and fields).</param>
/// <param name="Copy1Valid">Copy 1 parsed (good CRC and fields).</param>
/// <param name="RepairedCopy">The copy index (0 or 1) that was damaged and has been rewritten from the other, or null (always null from a peek).</param>
public readonly record struct DualCopyRead<TRecord>(TRecord? Newest, bool Copy0Valid, bool Copy1Valid, int? RepairedCopy)
    where TRecord : struct
{
    /// <summary>How many copies are valid: 0, 1 or 2.</summary>
    public int ValidCopies => (Copy0Valid ? 1 : 0) + (Copy1Valid ? 1 : 0);
}
