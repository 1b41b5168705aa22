namespace RecoverySim.Lab.Benches;

/// <summary>One slot partition of a board: its header and whether it verifies against the board's fuses and rollback indexes.</summary>
/// <param name="Name">The partition (<c>boot_a</c>, ...).</param>
/// <param name="Verified">Header, signature, rollback index and payload hash all check out.</param>
/// <param name="Failure">Why not, kebab-case (<c>header-invalid</c>, <c>payload-hash-mismatch</c>, ...); null when verified.</param>
/// <param name="Release">The header's release id, or null when no header parses.</param>
/// <param name="Version">The header's version string, or null.</param>
/// <param name="RollbackIndex">The header's rollback index, or null.</param>
public sealed record PartitionSnapshot(string Name, bool Verified, string? Failure, string? Release, string? Version, ulong? RollbackIndex);
