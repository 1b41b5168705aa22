using System.Text;

namespace RecoverySim.BlockDevice.Files;

/// <summary>
/// A file that appears whole or not at all: written under a temporary name beside its target and
/// renamed over the target only when complete. <see cref="Commit"/> flushes the data to disk
/// (fsync), closes the file, renames it over the target (or refuses an existing target), then
/// flushes the directory (fsync on the directory), so the rename itself survives a power cut.
/// Disposing without a commit deletes the temporary file and leaves any existing target as it was.
/// docs/FORMAT.md, "Order of writes (atomic files)", has the order and why a cut between any two
/// steps is safe.
/// </summary>
/// <example>
/// <code>
/// using (AtomicFile file = AtomicFile.Create("board.json", overwrite: false))
/// {
///     file.Stream.Write(bytes);
///     file.Commit();
/// }
/// </code>
/// </example>
public sealed class AtomicFile : IDisposable, IAsyncDisposable
{
    // Room for the prefix and suffix of the temporary name within NAME_MAX (255 bytes).
    private const int MaxNameBytesInTemporary = 200;
    private readonly Action<string> flushDirectory;
    private bool committed;
    private bool disposed;

    private AtomicFile(string path, string temporaryPath, FileStream stream, bool overwrite, Action<string> flushDirectory)
    {
        Path = path;
        TemporaryPath = temporaryPath;
        Stream = stream;
        Overwrite = overwrite;
        this.flushDirectory = flushDirectory;
    }

    /// <summary>The target: the full path the file gets at <see cref="Commit"/>.</summary>
    public string Path { get; }

    /// <summary>The temporary file beside <see cref="Path"/>: <c>.NAME.RANDOM.tmp</c>, hidden, in the same directory.</summary>
    public string TemporaryPath { get; }

    /// <summary>The stream to write the content to (the temporary file, opened for reading and writing).</summary>
    public FileStream Stream { get; }

    /// <summary>Whether <see cref="Commit"/> may replace an existing target.</summary>
    public bool Overwrite { get; }

    /// <summary>Creates the temporary file beside <paramref name="path"/> (create-new: never an existing file).</summary>
    /// <param name="path">The target.</param>
    /// <param name="overwrite">False to refuse an existing target, here and again at <see cref="Commit"/>.</param>
    /// <param name="mode">The Unix permissions of the new file (subject to the umask); the default when null. Ignored on Windows.</param>
    /// <param name="bufferSize">The stream's buffer in bytes; 0 or 1 for none.</param>
    /// <exception cref="DirectoryNotFoundException">The target's directory does not exist.</exception>
    /// <exception cref="IOException">The target is a directory, or it exists and <paramref name="overwrite"/> is false.</exception>
    public static AtomicFile Create(string path, bool overwrite = true, UnixFileMode? mode = null, int bufferSize = 0) =>
        Create(path, overwrite, mode, bufferSize, DirectoryFlush.Flush);

    /// <summary>As the public <see cref="Create(string, bool, UnixFileMode?, int)"/>, with the directory flush injected (tests).</summary>
    internal static AtomicFile Create(string path, bool overwrite, UnixFileMode? mode, int bufferSize, Action<string> flushDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(bufferSize);
        string full = System.IO.Path.GetFullPath(path);
        string name = System.IO.Path.GetFileName(full);
        string directory = System.IO.Path.GetDirectoryName(full) ?? throw new IOException($"'{path}' is a root directory, not a file");
        if (name.Length == 0 || Directory.Exists(full))
        {
            throw new IOException($"'{path}' is a directory, not a file");
        }

        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"directory '{directory}' of '{path}' does not exist");
        }

        if (!overwrite && File.Exists(full))
        {
            throw new IOException($"'{path}' already exists (refusing to overwrite it)");
        }

        string temporary = System.IO.Path.Join(directory, $".{Shorten(name)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = bufferSize,
        };
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = unixMode;
        }

        return new AtomicFile(full, temporary, new FileStream(temporary, options), overwrite, flushDirectory);
    }

    /// <summary>
    /// Makes the content the target's: flush to disk, close, rename over the target, flush the
    /// directory. After a failure before the rename, disposing deletes the temporary file; after a
    /// failure of the directory flush the target is already replaced, but not known to be durable.
    /// </summary>
    /// <exception cref="IOException">The flush or the rename failed, or the target exists and <see cref="Overwrite"/> is false.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (committed)
        {
            throw new InvalidOperationException($"'{Path}' is already committed");
        }

        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(TemporaryPath, Path, Overwrite);
        committed = true;
        flushDirectory(System.IO.Path.GetDirectoryName(Path)!);
    }

    /// <summary>As <see cref="Commit"/>, with the stream's buffer written out asynchronously first.</summary>
    public async Task CommitAsync(CancellationToken cancel = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await Stream.FlushAsync(cancel).ConfigureAwait(false);
        Commit();
    }

    /// <summary>Closes the file; without a commit, deletes the temporary file (an existing target is untouched).</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Stream.Dispose();
        if (!committed)
        {
            DeleteTemporary();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (!committed)
        {
            DeleteTemporary();
        }
    }

    private void DeleteTemporary()
    {
        try
        {
            File.Delete(TemporaryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Disposal runs while the failure that stopped the write is on its way to the caller;
            // throwing here would replace it. What stays behind is a hidden .tmp file, never the target.
        }
    }

    // The target's name, cut (on a character boundary) to leave room for the rest of the temporary
    // name within NAME_MAX: a target of up to 255 bytes still gets a temporary file.
    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxNameBytesInTemporary)
        {
            return name;
        }

        int length = name.Length;
        while (length > 0 && (Encoding.UTF8.GetByteCount(name.AsSpan(0, length)) > MaxNameBytesInTemporary || char.IsHighSurrogate(name[length - 1])))
        {
            length--;
        }

        return name[..length];
    }
}
