namespace RecoverySim.Lab.Updates;

/// <summary>Everything the server serves at one moment: swapped whole on a reload, never changed in place.</summary>
/// <param name="Boards">The board ids with a directory under the root (reports are taken for these).</param>
/// <param name="Channels">Each board and channel, keyed <c>BOARD/CHANNEL</c>.</param>
internal sealed record UpdateCatalog(IReadOnlySet<string> Boards, IReadOnlyDictionary<string, ChannelCatalog> Channels)
{
    /// <summary>The catalog of nothing, before the first scan.</summary>
    public static UpdateCatalog Empty { get; } = new(new HashSet<string>(), new Dictionary<string, ChannelCatalog>());

    /// <summary>The channel, or null.</summary>
    public ChannelCatalog? Find(string board, string channel) => Channels.GetValueOrDefault(board + "/" + channel);

    /// <summary>Packages listed, all channels together.</summary>
    public int PackageCount => Channels.Values.Sum(c => c.Packages.Count);
}
