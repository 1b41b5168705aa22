namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// A partition to put in a golden image: its logical name and a way to open its payload. The
/// builder opens the payload more than once (hash, then copy), each time reading it to the end,
/// and may open different partitions at the same time.
/// </summary>
/// <param name="Name">Logical partition name (<c>boot</c>, <c>system</c>, <c>vendor</c>).</param>
/// <param name="OpenPayload">Opens a fresh stream over the payload, positioned at its start; the builder disposes it.</param>
public sealed record GoldenImagePartitionSource(string Name, Func<Stream> OpenPayload)
{
    /// <summary>A source reading the file at <paramref name="path"/> (sequential, large reads).</summary>
    public static GoldenImagePartitionSource FromFile(string name, string path) =>
        new(name, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan));
}
