using System.Runtime.InteropServices;
using System.Text;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// What .NET does not expose: the canonical path with every symbolic link resolved
/// (realpath(3)), and the file type (regular file, directory, device, FIFO, socket) from
/// statx(2) without following a final link. Needed to keep paths under the root and to refuse
/// device files and FIFOs before opening them (opening a FIFO blocks).
/// </summary>
internal static partial class NativeFileSystem
{
    private const int PathMax = 4096;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x0001;
    private const int StatxModeOffset = 28; // struct statx: stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32, stx_uid u32, stx_gid u32, stx_mode u16
    private const int StatxSize = 256;
    private const int ModeTypeMask = 0xF000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The kind of a directory entry.</summary>
    public enum EntryType
    {
        Missing,
        Regular,
        Directory,
        SymbolicLink,
        Other,
    }

    /// <summary>The canonical absolute path of an existing <paramref name="path"/>, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return ManagedRealPath(path);
        }

        var resolved = new byte[PathMax + 1];
        IntPtr result = realpath(path, resolved);
        if (result == IntPtr.Zero)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return null;
            }

            throw new IOException($"cannot resolve '{path}' (errno {errno})");
        }

        int length = Array.IndexOf(resolved, (byte)0);
        return Encoding.UTF8.GetString(resolved, 0, length < 0 ? PathMax : length);
    }

    /// <summary>The type of <paramref name="path"/> itself (a final symbolic link is not followed).</summary>
    public static EntryType GetEntryType(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ManagedEntryType(path);
        }

        var buffer = new byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return EntryType.Missing;
            }

            throw new IOException($"cannot stat '{path}' (errno {errno})");
        }

        int mode = BitConverter.ToUInt16(buffer, StatxModeOffset) & ModeTypeMask;
        return mode switch
        {
            0x8000 => EntryType.Regular,
            0x4000 => EntryType.Directory,
            0xA000 => EntryType.SymbolicLink,
            _ => EntryType.Other,
        };
    }

    private static EntryType ManagedEntryType(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path))
        {
            return info.LinkTarget is null ? EntryType.Missing : EntryType.SymbolicLink;
        }

        FileAttributes attributes = File.GetAttributes(path);
        if ((attributes & FileAttributes.ReparsePoint) != 0)
        {
            return EntryType.SymbolicLink;
        }

        return (attributes & FileAttributes.Directory) != 0 ? EntryType.Directory
            : (attributes & FileAttributes.Device) != 0 ? EntryType.Other : EntryType.Regular;
    }

    // Without realpath(3): refuse any link on the way, which is stricter but safe.
    private static string? ManagedRealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? current = full;
        while (current is not null)
        {
            if (!File.Exists(current) && !Directory.Exists(current))
            {
                return null;
            }

            if ((File.GetAttributes(current) & FileAttributes.ReparsePoint) != 0)
            {
                throw new IOException($"'{current}' is a link, which this platform cannot resolve safely");
            }

            current = Path.GetDirectoryName(current);
        }

        return full;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the build does not allow.
    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] resolved);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}
