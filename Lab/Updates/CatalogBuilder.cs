using System.Globalization;
using System.Text;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>
/// Scans the root (<c>ROOT/BOARD/CHANNEL/*.rsim</c>) and signs one index per board and channel.
/// A package is read (<see cref="PackageSummaryReader"/>) only when its path, length or
/// modification time is new; otherwise the summary of the last scan is kept. A file that is not a
/// package, is for another board or changes while it is read is left out with a <c>skipped</c>
/// event; the rest of the channel is still served. Each index gets the channel's next sequence,
/// written durably to <c>CHANNEL/.sequence</c> before the index is published.
/// </summary>
internal sealed class CatalogBuilder(UpdateServerOptions options)
{
    /// <summary>The file in each channel directory that holds the last sequence signed.</summary>
    public const string SequenceFile = ".sequence";

    private const int MaxSequenceFileBytes = 32;

    private readonly Dictionary<string, (long Length, DateTime LastWriteUtc, PackageSummary Summary)> _summaries = new(StringComparer.Ordinal);

    /// <summary>Builds the catalog. Not thread-safe: the server calls it under its reload lock.</summary>
    /// <exception cref="DirectoryNotFoundException">The root is not a directory.</exception>
    /// <exception cref="IOException">A <c>.sequence</c> file cannot be read or written.</exception>
    public async Task<UpdateCatalog> BuildAsync(CancellationToken cancel)
    {
        string root = options.Root;
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"root '{root}' is not an existing directory");
        }

        var boards = new HashSet<string>(StringComparer.Ordinal);
        var channels = new Dictionary<string, ChannelCatalog>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string boardDirectory in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            string board = Path.GetFileName(boardDirectory);
            if (!FieldText.IsIdentifier(board))
            {
                SkipName(boardDirectory, "a board id (1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit)");
                continue;
            }

            boards.Add(board);
            foreach (string channelDirectory in Directory.EnumerateDirectories(boardDirectory).Order(StringComparer.Ordinal))
            {
                string channel = Path.GetFileName(channelDirectory);
                if (!UpdateIndex.IsChannel(channel))
                {
                    SkipName(channelDirectory, "a channel name (1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit)");
                    continue;
                }

                var packages = new List<CatalogPackage>();
                foreach (string file in Directory.EnumerateFiles(channelDirectory, "*" + UpdateIndex.PackageExtension).Order(StringComparer.Ordinal))
                {
                    seen.Add(file);
                    if (await ReadPackageAsync(file, board, cancel).ConfigureAwait(false) is { } package)
                    {
                        packages.Add(package);
                    }
                }

                channels.Add(board + "/" + channel, Sign(board, channel, channelDirectory, packages));
            }
        }

        foreach (string gone in _summaries.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _summaries.Remove(gone);
        }

        return new UpdateCatalog(boards, channels);
    }

    private async Task<CatalogPackage?> ReadPackageAsync(string path, string board, CancellationToken cancel)
    {
        string file = Path.GetFileName(path);
        if (!UpdateIndex.IsPackageFileName(file))
        {
            SkipName(path, $"a package file name (1 to {UpdateIndex.MaxFileNameLength} of A-Z a-z 0-9 . _ - starting with a letter or digit, ending in {UpdateIndex.PackageExtension})");
            return null;
        }

        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                long length = stream.Length;
                DateTime written = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
                PackageSummary summary;
                if (_summaries.TryGetValue(path, out var cached) && cached.Length == length && cached.LastWriteUtc == written)
                {
                    summary = cached.Summary;
                }
                else
                {
                    summary = await PackageSummaryReader.ReadAsync(stream, file, options.PackageKeys, cancel).ConfigureAwait(false);
                    if (summary.Package.Size != length || File.GetLastWriteTimeUtc(stream.SafeFileHandle) != written)
                    {
                        Skip(path, "it changed while it was read; it is read again on the next reload or request");
                        _summaries.Remove(path);
                        return null;
                    }

                    _summaries[path] = (length, written, summary);
                }

                if (!summary.BoardIds.Contains(board))
                {
                    Skip(path, $"its manifest is for board{(summary.BoardIds.Count == 1 ? "" : "s")} {string.Join(", ", summary.BoardIds)}, not '{board}'");
                    return null;
                }

                return new CatalogPackage(summary.Package, path, written);
            }
        }
        catch (Exception e) when (e is ImageException or IOException or UnauthorizedAccessException)
        {
            _summaries.Remove(path);
            Skip(path, e.Message);
            return null;
        }
    }

    private ChannelCatalog Sign(string board, string channel, string directory, List<CatalogPackage> packages)
    {
        // The newest release: the highest rollback index among the full packages; between releases
        // with the same index, the most recently written file (then the greater file name).
        UpdateRelease? latest = packages.Where(p => p.Entry.Kind == UpdatePackageKind.Full)
            .OrderByDescending(p => p.Entry.RollbackIndex).ThenByDescending(p => p.LastWriteUtc).ThenByDescending(p => p.Entry.File, StringComparer.Ordinal)
            .Select(p => p.Entry.Target).FirstOrDefault();

        // Packages of one release must agree on its version and rollback index, and a delta may not
        // be above the latest full release; anything else is left out rather than refused whole.
        var listed = new List<CatalogPackage>();
        foreach (CatalogPackage p in packages)
        {
            if (listed.FirstOrDefault(q => q.Entry.ReleaseId == p.Entry.ReleaseId && q.Entry.Target != p.Entry.Target) is { } other)
            {
                Skip(p.Path, $"release '{p.Entry.ReleaseId}' is version '{p.Entry.Version}' rollback index {p.Entry.RollbackIndex} here but '{other.Entry.Version}' {other.Entry.RollbackIndex} in {other.Entry.File}");
            }
            else if (listed.FirstOrDefault(q => q.Entry.Kind == p.Entry.Kind && q.Entry.ReleaseId == p.Entry.ReleaseId && q.Entry.FromRelease == p.Entry.FromRelease) is { } same)
            {
                Skip(p.Path, $"{same.Entry.File} already is the {UpdatePackageKindNames.Name(p.Entry.Kind)} package of release '{p.Entry.ReleaseId}'");
            }
            else if (latest is null || p.Entry.RollbackIndex > latest.RollbackIndex)
            {
                Skip(p.Path, latest is null ? "a delta with no full package in the channel" : $"its rollback index {p.Entry.RollbackIndex} is above the latest full release's {latest.RollbackIndex}");
            }
            else
            {
                listed.Add(p);
            }
        }

        long sequence = NextSequence(directory);
        DateTimeOffset now = UtcTimestamp.Truncate(options.Time.GetUtcNow());
        var index = new UpdateIndex(board, channel, sequence, now, now + options.IndexValidity, options.IndexKey.KeyId, options.IndexKey.Algorithm,
            latest, [.. listed.Select(p => p.Entry)]);
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(index, options.IndexKey);
        Emit("index", $"{board}/{channel}: index {sequence} signed, {listed.Count} package{(listed.Count == 1 ? "" : "s")}, latest {latest?.ReleaseId ?? "none"}, expires {UtcTimestamp.Format(index.ExpiresAt)}");
        return new ChannelCatalog(board, channel, signed, index, listed.ToDictionary(p => p.Entry.File, StringComparer.Ordinal));
    }

    /// <summary>The last sequence of the channel plus one, written durably (an atomic file) before it is used.</summary>
    private static long NextSequence(string directory)
    {
        string path = Path.Combine(directory, SequenceFile);
        long last = 0;
        if (File.Exists(path))
        {
            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                if (stream.Length > MaxSequenceFileBytes)
                {
                    throw new IOException($"{path}: {stream.Length} bytes, expected a decimal sequence number of at most {MaxSequenceFileBytes}");
                }

                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            string text = Encoding.ASCII.GetString(bytes).TrimEnd('\n');
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < 0 || last == long.MaxValue)
            {
                throw new IOException($"{path}: expected a decimal sequence number from 0 to {long.MaxValue - 1}, found {StrictJson.Quote(text)}");
            }
        }

        long next = last + 1;
        using (AtomicFile file = AtomicFile.Create(path, overwrite: true))
        {
            file.Stream.Write(Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture) + "\n"));
            file.Commit();
        }

        return next;
    }

    private void SkipName(string path, string expected)
    {
        if (!Path.GetFileName(path).StartsWith('.'))
        {
            Skip(path, $"its name is not {expected}");
        }
    }

    private void Skip(string path, string why) => Emit("skipped", $"{Path.GetRelativePath(options.Root, path)}: left out: {why}");

    private void Emit(string kind, string message) => options.Events?.Invoke(new UpdateServerEvent(options.Time.GetUtcNow(), kind, message));
}
