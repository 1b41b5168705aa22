namespace RecoverySim.GoldenImage.Bundle;

/// <summary>How a partition member is stored in a golden image or a delta package.</summary>
public enum PartitionCompression
{
    /// <summary>The member is the partition image itself (manifest <c>"compression": "none"</c>, member <c>NAME.img</c>).</summary>
    None = 0,

    /// <summary>The member is one zstd frame of the image (RFC 8878; <c>"zstd"</c>, member <c>NAME.img.zst</c>).</summary>
    Zstd = 1,

    /// <summary>
    /// Delta packages only: the member is a BSDIFF40 patch that makes the image from the source
    /// image (<c>"bsdiff40"</c>, member <c>NAME.img.bsdiff</c>; docs/FORMAT.md "BSDIFF40 patches").
    /// </summary>
    Bsdiff40 = 2,
}
