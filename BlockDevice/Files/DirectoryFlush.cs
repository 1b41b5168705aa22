using System.Runtime.InteropServices;

namespace RecoverySim.BlockDevice.Files;

/// <summary>
/// Flushes a directory's entries to disk: fsync(2) on the directory, opened with
/// <c>O_RDONLY | O_DIRECTORY</c>, so that a rename in it survives a power cut. .NET has no call for
/// it (<c>File.OpenHandle</c> refuses a directory), hence the P/Invoke. Does nothing where
/// directories cannot be opened so (not Linux).
/// </summary>
internal static class DirectoryFlush
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY (0) | O_DIRECTORY (0x10000 on Linux)

    /// <summary>fsync(2) on <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed; the message has the errno.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"cannot flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the build does not allow.
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
