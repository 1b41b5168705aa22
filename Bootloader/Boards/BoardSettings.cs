using RecoverySim.BlockDevice.Files;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Changes the user's settings in a board's <c>board.json</c>: the update policy
/// (<see cref="BoardConfig.Update"/>), the simulated network and the simulated OS health. The
/// fuses (board id, profile, trusted keys, recovery sources, boot limits) cannot change this way.
/// The new file is checked with the rules board.json is read by and replaces the old one as an
/// atomic file (docs/FORMAT.md "Atomic files"): a cut leaves the old settings or the new, never a
/// mix. The command line (<c>board settings</c>) and the web page both change settings here.
/// </summary>
public static class BoardSettings
{
    /// <summary>Reads <c>board.json</c> in <paramref name="boardDirectory"/>, applies <paramref name="change"/> and writes the result.</summary>
    /// <returns>The settings now stored.</returns>
    /// <exception cref="BoardException">board.json is missing or invalid, the change touches a fuse, or a changed value is out of range (the message names the field).</exception>
    public static BoardConfig Change(string boardDirectory, Func<BoardConfig, BoardConfig> change)
    {
        ArgumentNullException.ThrowIfNull(boardDirectory);
        ArgumentNullException.ThrowIfNull(change);
        string path = Path.Combine(boardDirectory, Board.ConfigFile);
        BoardConfig old = BoardConfig.Load(path);
        BoardConfig updated = change(old) ?? throw new ArgumentException("the change returned no settings", nameof(change));
        string? fuse = FuseChanged(old, updated);
        if (fuse is not null)
        {
            throw new BoardException($"{path}: field {fuse} is a fuse: settings may change only update, simulation.network and simulation.os_health");
        }

        byte[] bytes = updated.ToJsonBytes();
        BoardConfig stored = BoardConfig.Parse(bytes, path); // the rules the file is read by, with its name in errors
        if (bytes.AsSpan().SequenceEqual(File.ReadAllBytes(path)))
        {
            return stored;
        }

        using AtomicFile file = AtomicFile.Create(path, overwrite: true);
        file.Stream.Write(bytes);
        file.Commit();
        return stored;
    }

    private static string? FuseChanged(BoardConfig a, BoardConfig b) =>
        a.BoardId != b.BoardId ? "board_id"
        : a.Profile != b.Profile ? "profile"
        : !a.TrustedKeys.SequenceEqual(b.TrustedKeys) ? "trusted_keys"
        : a.Recovery != b.Recovery ? "recovery"
        : a.Limits != b.Limits ? "boot_limits"
        : null;
}
