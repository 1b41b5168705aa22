namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// One partition of a golden image as the manifest describes it (docs/FORMAT.md
/// "Golden-image bundle"): its tar member, sizes and the SHA-256 of the uncompressed image
/// (partition header + payload). In a delta package ("Delta packages") the image is the target
/// image, and <see cref="Delta"/> names the source image it applies to.
/// </summary>
/// <param name="Name">Logical partition name (<c>boot</c>, <c>system</c>, <c>vendor</c>).</param>
/// <param name="Member">Tar member name: <c>NAME.img</c>, or <c>NAME.img.zst</c> when compressed.</param>
/// <param name="Size">Bytes of the uncompressed image (header + payload).</param>
/// <param name="Compression">How the member stores the image.</param>
/// <param name="CompressedSize">Bytes of the tar member: equal to <paramref name="Size"/> when not compressed (the patch's size for a BSDIFF40 member).</param>
/// <param name="Sha256">SHA-256 of the uncompressed image, 64 lowercase hex digits.</param>
/// <param name="CompressedSha256">
/// SHA-256 of the tar member's bytes as stored: equal to <paramref name="Sha256"/> when not
/// compressed. For a zstd member it binds the compressed bytes too, since different zstd
/// streams can decode to the same image (a changed bit the decoder ignores is still refused).
/// </param>
public sealed record ManifestPartition(string Name, string Member, long Size, PartitionCompression Compression, long CompressedSize, string Sha256, string CompressedSha256)
{
    /// <summary>In a delta package: how the member makes the target image, and the source image it needs. Null in a golden image.</summary>
    public PartitionDelta? Delta { get; init; }

    /// <summary>The member name a partition of this name and compression must have.</summary>
    public static string MemberNameFor(string name, PartitionCompression compression) => compression switch
    {
        PartitionCompression.Zstd => name + ".img.zst",
        PartitionCompression.Bsdiff40 => name + ".img.bsdiff",
        _ => name + ".img",
    };
}
