using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>A golden image that was read to its end and passed every check.</summary>
/// <param name="Manifest">The verified manifest.</param>
/// <param name="Headers">The partition headers, in manifest order.</param>
/// <param name="SigningKey">The trusted key that signed it.</param>
public sealed record VerifiedGoldenImage(GoldenImageManifest Manifest, IReadOnlyList<PartitionHeader> Headers, VerificationKey SigningKey);
