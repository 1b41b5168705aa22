using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>One board and channel as served: the signed index and its package files by name. Immutable.</summary>
/// <param name="BoardId">The board id (the first directory level).</param>
/// <param name="Channel">The channel (the second).</param>
/// <param name="Signed">The index bytes and signature served.</param>
/// <param name="Index">The index those bytes hold.</param>
/// <param name="Packages">The package files the index lists, by file name.</param>
internal sealed record ChannelCatalog(string BoardId, string Channel, SignedUpdateIndex Signed, UpdateIndex Index, IReadOnlyDictionary<string, CatalogPackage> Packages)
{
    /// <summary>The index's strong entity tag: its SHA-256 in double quotes, shared by <c>index.json</c> and <c>index.sig</c>.</summary>
    public string EntityTag { get; } = $"\"{Signed.Sha256}\"";
}
