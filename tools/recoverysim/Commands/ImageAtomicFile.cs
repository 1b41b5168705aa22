namespace RecoverySim.Cli.Commands;

/// <summary>
/// An output file written under a temporary name beside its final path and renamed over it
/// only when complete (after a flush to disk), so that a failure, a cancel or a crash never
/// leaves a half-written file, and an existing file stays intact until the new one is whole.
/// Disposing without <see cref="CommitAsync"/> deletes the temporary file.
/// </summary>
internal sealed class ImageAtomicFile : IAsyncDisposable
{
    private readonly string _temporary;
    private bool _committed;

    private ImageAtomicFile(string path, string temporary, FileStream stream)
    {
        Path = path;
        _temporary = temporary;
        Stream = stream;
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>The stream to write the content to.</summary>
    public FileStream Stream { get; }

    /// <summary>Creates the temporary file next to <paramref name="path"/> (same directory, so the rename is atomic).</summary>
    public static ImageAtomicFile Create(string path, UnixFileMode? mode = null)
    {
        string full = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"output directory '{directory}' does not exist");
        }

        if (Directory.Exists(full))
        {
            throw new IOException($"output '{path}' is a directory");
        }

        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (mode is not null && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        return new ImageAtomicFile(full, temporary, new FileStream(temporary, options));
    }

    /// <summary>Flushes to disk and renames the temporary file to <see cref="Path"/>.</summary>
    public async Task CommitAsync(bool overwrite = true)
    {
        await Stream.FlushAsync().ConfigureAwait(false);
        Stream.Flush(flushToDisk: true);
        await Stream.DisposeAsync().ConfigureAwait(false);
        File.Move(_temporary, Path, overwrite);
        _committed = true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
        {
            File.Delete(_temporary);
        }
    }
}
