namespace RecoverySim.GoldenImage.Bundle;

/// <summary>Progress of reading or building one member of a golden image.</summary>
/// <param name="Stage">What is happening: <c>hash</c> (payload), <c>image-hash</c> or <c>compress</c>, <c>write</c> (building) or <c>verify</c> (reading).</param>
/// <param name="Partition">The partition concerned.</param>
/// <param name="BytesDone">Uncompressed bytes done so far in this stage.</param>
/// <param name="BytesTotal">Uncompressed bytes of this stage for this partition.</param>
public readonly record struct GoldenImageProgress(string Stage, string Partition, long BytesDone, long BytesTotal);
