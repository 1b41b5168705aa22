using RecoverySim.GoldenImage.Bundle;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>Where one partition's member lies in a verified delta package file.</summary>
/// <param name="Partition">The manifest's entry.</param>
/// <param name="DataOffset">Offset of the member's first data byte in the package.</param>
internal sealed record DeltaPackageMember(ManifestPartition Partition, long DataOffset);
