namespace RecoverySim.GoldenImage.Bundle;

/// <summary>How a delta package's member makes the target image (manifest field <c>kind</c>).</summary>
public enum DeltaMemberKind
{
    /// <summary><c>"patch"</c>: a BSDIFF40 patch from the source image (compression <c>bsdiff40</c>).</summary>
    Patch = 0,

    /// <summary><c>"full"</c>: the target image itself, as in a golden image (compression <c>none</c> or <c>zstd</c>), when that is smaller than a patch.</summary>
    Full = 1,
}
