namespace RecoverySim.Recovery;

/// <summary>Progress of one partition in recovery mode.</summary>
/// <param name="Step"><c>install</c> (from a source into the install slot) or <c>copy</c> (slot to slot).</param>
/// <param name="Partition">The partition written, such as <c>system_a</c>.</param>
/// <param name="Done">Bytes of its image done.</param>
/// <param name="Total">Bytes of its image.</param>
public readonly record struct RecoveryProgress(string Step, string Partition, long Done, long Total);
