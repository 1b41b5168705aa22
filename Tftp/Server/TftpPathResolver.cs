using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// Maps a requested file name to a path under the root, or refuses it. The name must be a
/// plain relative path ("dir/file"): no "..", no ".", no empty segment, no leading "/", no
/// drive ("C:"), no backslash, no control character, no component over 255 bytes. The resolved
/// path, symbolic links followed, must still be under the root's canonical path, and must be a
/// regular file.
/// </summary>
public sealed class TftpPathResolver
{
    /// <summary>
    /// The longest path component, in UTF-8 bytes: NAME_MAX of Linux file systems. A longer one
    /// cannot exist, so it is refused by its shape (ERROR 2) before the file system would answer
    /// ENAMETOOLONG.
    /// </summary>
    public const int MaxComponentBytes = 255;

    private readonly string root;

    /// <summary>Creates a resolver for <paramref name="rootDirectory"/>, which must exist.</summary>
    public TftpPathResolver(string rootDirectory)
    {
        string full = Path.GetFullPath(rootDirectory);
        string? real = NativeFileSystem.RealPath(full);
        if (real is null || NativeFileSystem.GetEntryType(real) != NativeFileSystem.EntryType.Directory)
        {
            throw new DirectoryNotFoundException($"root '{rootDirectory}' is not an existing directory");
        }

        root = real;
    }

    /// <summary>The canonical root.</summary>
    public string Root => root;

    /// <summary>Checks the shape of a requested name; throws <see cref="TftpProtocolException"/> (ERROR 2) naming the problem.</summary>
    public static void CheckName(string fileName)
    {
        if (fileName.Length == 0)
        {
            throw Refuse(fileName, "is empty");
        }

        for (int i = 0; i < fileName.Length; i++)
        {
            char c = fileName[i];
            if (c < ' ' || c == (char)0x7F)
            {
                throw Refuse(fileName, $"contains control character 0x{(int)c:X2} at {i}");
            }

            if (c == '\\')
            {
                throw Refuse(fileName, $"contains a backslash at {i}");
            }
        }

        if (fileName[0] == '/')
        {
            throw Refuse(fileName, "is an absolute path");
        }

        if (fileName.Length >= 2 && char.IsAsciiLetter(fileName[0]) && fileName[1] == ':')
        {
            throw Refuse(fileName, "starts with a drive");
        }

        foreach (string segment in fileName.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw Refuse(fileName, "has an empty path segment");
            }

            if (segment is "." or "..")
            {
                throw Refuse(fileName, $"has a '{segment}' segment");
            }

            int bytes = System.Text.Encoding.UTF8.GetByteCount(segment);
            if (bytes > MaxComponentBytes)
            {
                throw Refuse(fileName, $"has a {bytes}-byte path component; the limit is {MaxComponentBytes} bytes");
            }
        }
    }

    /// <summary>The canonical path of an existing regular file for a read request.</summary>
    public string ResolveForRead(string fileName)
    {
        CheckName(fileName);
        string joined = Path.Join(root, fileName);
        string real = NativeFileSystem.RealPath(joined)
            ?? throw new TftpProtocolException(TftpErrorCode.FileNotFound, $"file '{fileName}' not found");
        CheckUnderRoot(fileName, real);
        NativeFileSystem.EntryType type = NativeFileSystem.GetEntryType(real);
        if (type != NativeFileSystem.EntryType.Regular)
        {
            throw Refuse(fileName, type == NativeFileSystem.EntryType.Directory ? "is a directory" : "is not a regular file (device, FIFO or socket)");
        }

        return real;
    }

    /// <summary>The path a write request may create (its directory exists and is under the root).</summary>
    /// <param name="fileName">The requested name.</param>
    /// <param name="allowOverwrite">Whether an existing regular file may be replaced.</param>
    /// <param name="exists">True when a regular file already exists there.</param>
    public string ResolveForWrite(string fileName, bool allowOverwrite, out bool exists)
    {
        CheckName(fileName);
        string joined = Path.Join(root, fileName);
        string directory = Path.GetDirectoryName(joined) ?? root;
        string realDirectory = NativeFileSystem.RealPath(directory)
            ?? throw new TftpProtocolException(TftpErrorCode.FileNotFound, $"directory of '{fileName}' does not exist");
        CheckUnderRoot(fileName, realDirectory);
        if (NativeFileSystem.GetEntryType(realDirectory) != NativeFileSystem.EntryType.Directory)
        {
            throw Refuse(fileName, "is under something that is not a directory");
        }

        string target = Path.Join(realDirectory, Path.GetFileName(joined));
        switch (NativeFileSystem.GetEntryType(target))
        {
            case NativeFileSystem.EntryType.Missing:
                exists = false;
                return target;
            case NativeFileSystem.EntryType.Regular when allowOverwrite:
                exists = true;
                return target;
            case NativeFileSystem.EntryType.Regular:
                throw new TftpProtocolException(TftpErrorCode.FileAlreadyExists, $"file '{fileName}' already exists and overwriting is not allowed");
            case NativeFileSystem.EntryType.SymbolicLink:
                throw Refuse(fileName, "is a symbolic link");
            default:
                throw Refuse(fileName, "exists and is not a regular file");
        }
    }

    private void CheckUnderRoot(string fileName, string real)
    {
        if (!real.StartsWith(root, StringComparison.Ordinal)
            || (real.Length > root.Length && real[root.Length] != '/' && !root.EndsWith('/')))
        {
            throw Refuse(fileName, "resolves outside the root (symbolic link)");
        }
    }

    private static TftpProtocolException Refuse(string fileName, string why) =>
        new(TftpErrorCode.AccessViolation, $"file name '{TftpStrings.Printable(fileName)}' {why}");
}
