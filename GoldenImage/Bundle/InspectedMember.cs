using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>A partition member as <see cref="GoldenImageInspector"/> found it (nothing verified).</summary>
/// <param name="Name">The tar member name.</param>
/// <param name="TarSize">The member's size in the archive (compressed size when compressed).</param>
/// <param name="Header">Its partition header when it parses, else null.</param>
/// <param name="HeaderError">Why the header does not parse, else null.</param>
public sealed record InspectedMember(string Name, long TarSize, PartitionHeader? Header, string? HeaderError)
{
    /// <summary>For a delta package's patch member (<c>NAME.img.bsdiff</c>): its BSDIFF40 header when it parses (<see cref="Header"/> is then null).</summary>
    public Delta.BsDiffHeader? PatchHeader { get; init; }
}
