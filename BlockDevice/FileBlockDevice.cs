using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RecoverySim.BlockDevice;

/// <summary>
/// A device over a file (an image, created sparse) or over a real block device path such as
/// <c>/dev/loop0</c>. Reads and writes are positional (<see cref="RandomAccess"/>), unbuffered by
/// .NET; the operating system's page cache is the volatile write cache, so <see cref="Flush"/> is
/// <c>fsync</c> (<see cref="FileStream.Flush(bool)"/> with <c>true</c>) and a
/// <see cref="WriteFlags.ForceUnitAccess"/> write is a write followed by <c>fsync</c>.
/// </summary>
public sealed class FileBlockDevice : IBlockDevice
{
    private const int FallocFlKeepSize = 0x01;
    private const int FallocFlPunchHole = 0x02;
    private const int ZeroChunkBytes = 1 << 20;
    private const int SeekEndWhence = 2;

    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private readonly bool _writable;
    private readonly bool _leaveOpen;
    private bool _punchHoles;

    private FileBlockDevice(FileStream stream, int sectorSize, long sectorCount, bool writable, bool isBlockDevice, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _handle = stream.SafeFileHandle;
        _writable = writable;
        SectorSize = sectorSize;
        SectorCount = sectorCount;
        IsBlockDevice = isBlockDevice;
        _punchHoles = !isBlockDevice && OperatingSystem.IsLinux();
    }

    /// <inheritdoc />
    public int SectorSize { get; }

    /// <inheritdoc />
    public long SectorCount { get; }

    /// <summary>The path the device was opened on.</summary>
    public string Path => _stream.Name;

    /// <summary>True when the path is a block device (its size came from seeking to its end), false for a regular file.</summary>
    public bool IsBlockDevice { get; }

    /// <summary>
    /// Creates (or truncates) the file at <paramref name="path"/> as a sparse image of
    /// <paramref name="sectorCount"/> sectors: its length is set without writing, so unwritten
    /// sectors take no disk space and read as zeros.
    /// </summary>
    public static FileBlockDevice Create(string path, long sectorCount, int sectorSize = 512)
    {
        ArgumentNullException.ThrowIfNull(path);
        SectorRange.CheckSectorSize(sectorSize);
        if (sectorCount < 1 || sectorCount > long.MaxValue / sectorSize)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorCount), $"sector count {sectorCount} is outside [1, {long.MaxValue / sectorSize}]");
        }

        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);
        try
        {
            stream.SetLength(sectorCount * sectorSize);
            return new FileBlockDevice(stream, sectorSize, sectorCount, writable: true, isBlockDevice: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="stream"/>, a regular file open for reading and writing without .NET
    /// buffering (for example the temporary file of a <see cref="Files.AtomicFile"/>), a sparse image
    /// of <paramref name="sectorCount"/> sectors, as <see cref="Create(string, long, int)"/> does with a
    /// path. Disposing the device leaves the stream open: its owner closes (or commits) it.
    /// </summary>
    public static FileBlockDevice Create(FileStream stream, long sectorCount, int sectorSize = 512)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SectorRange.CheckSectorSize(sectorSize);
        if (!stream.CanRead || !stream.CanWrite)
        {
            throw new ArgumentException($"{stream.Name}: the stream must be open for reading and writing", nameof(stream));
        }

        if (sectorCount < 1 || sectorCount > long.MaxValue / sectorSize)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorCount), $"sector count {sectorCount} is outside [1, {long.MaxValue / sectorSize}]");
        }

        stream.SetLength(sectorCount * sectorSize);
        return new FileBlockDevice(stream, sectorSize, sectorCount, writable: true, isBlockDevice: false, leaveOpen: true);
    }

    /// <summary>
    /// Opens an existing image file or block device. The size is found by seeking to the end,
    /// which works for both (a block device's <c>stat</c> size is 0); it must be a whole,
    /// non-zero number of sectors.
    /// </summary>
    /// <exception cref="BlockDeviceException">The size is not a whole, non-zero number of sectors.</exception>
    public static FileBlockDevice Open(string path, int sectorSize = 512, bool writable = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        SectorRange.CheckSectorSize(sectorSize);
        var stream = new FileStream(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read,
            FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
        try
        {
            // A block device's stat size is 0 and FileStream.Seek computes the end from it, so ask
            // the kernel: lseek(fd, 0, SEEK_END) is the device size for both files and devices.
            long statLength = stream.Length;
            long length = SeekEnd(stream.SafeFileHandle) ?? statLength;
            bool isBlockDevice = statLength != length;
            if (length <= 0 || length % sectorSize != 0)
            {
                throw new BlockDeviceException($"{path}: size {length} bytes is not a non-zero multiple of the sector size {sectorSize}");
            }

            return new FileBlockDevice(stream, sectorSize, length / sectorSize, writable, isBlockDevice);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        SectorRange.Check(this, sector, buffer.Length);
        long offset = sector * SectorSize;
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(_handle, buffer, offset);
            if (n <= 0)
            {
                // A file shrunk under us (or a short device): the contract says whole sectors.
                throw new MediumException($"{Path}: short read at byte {offset}", offset / SectorSize);
            }

            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        SectorRange.Check(this, sector, data.Length);
        ThrowIfReadOnly(sector);
        RandomAccess.Write(_handle, data, sector * SectorSize);
        if ((flags & WriteFlags.ForceUnitAccess) != 0)
        {
            // No portable per-write FUA from user space: fsync makes this write (and any before it) durable.
            _stream.Flush(flushToDisk: true);
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        if (_writable)
        {
            _stream.Flush(flushToDisk: true);
        }
    }

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        SectorRange.CheckCount(this, sector, count);
        ThrowIfReadOnly(sector);
        if (count == 0)
        {
            return;
        }

        long offset = sector * SectorSize;
        long length = count * SectorSize;
        if (_punchHoles && TryPunchHole(offset, length))
        {
            return;
        }

        // No hole punching here (a block device, or a file system without it): zeros keep the contract.
        byte[] zeros = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, ZeroChunkBytes));
        try
        {
            Array.Clear(zeros);
            while (length > 0)
            {
                int n = (int)Math.Min(length, zeros.Length);
                RandomAccess.Write(_handle, zeros.AsSpan(0, n), offset);
                offset += n;
                length -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(zeros);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void ThrowIfReadOnly(long sector)
    {
        if (!_writable)
        {
            throw new MediumException($"{Path}: opened read-only", sector);
        }
    }

    private bool TryPunchHole(long offset, long length)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            int fd = (int)_handle.DangerousGetHandle();
            if (Fallocate(fd, FallocFlPunchHole | FallocFlKeepSize, offset, length) == 0)
            {
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }

        _punchHoles = false; // the file system said no once: it will say no again
        return false;
    }

    private static long? SeekEnd(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            long end = LSeek((int)handle.DangerousGetHandle(), 0, SeekEndWhence);
            return end >= 0 ? end : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long LSeek(int fd, long offset, int whence);

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static extern int Fallocate(int fd, int mode, long offset, long length);
}
