namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// What a delta package says about one partition beyond a golden image's entry
/// (docs/FORMAT.md "Delta packages"): whether the member is a patch or the full image, and the
/// source image (partition header + payload of the running slot) it applies to, which must
/// match before a byte of the target is written.
/// </summary>
/// <param name="Kind">Patch or full image.</param>
/// <param name="SourceSize">Bytes of the source image.</param>
/// <param name="SourceSha256">SHA-256 of the source image, 64 lowercase hex digits.</param>
public sealed record PartitionDelta(DeltaMemberKind Kind, long SourceSize, string SourceSha256);
