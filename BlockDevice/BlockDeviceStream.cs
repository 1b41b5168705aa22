using System.Buffers;

namespace RecoverySim.BlockDevice;

/// <summary>
/// A seekable <see cref="Stream"/> over an <see cref="IBlockDevice"/>, or over a byte range of one,
/// at any byte offset: whole sectors go straight through, partial sectors at either end are
/// read-modify-write through a pooled buffer. The length is fixed (the range); reading at the
/// end returns 0 and writing past it throws. <see cref="Flush"/> is the device's
/// <see cref="IBlockDevice.Flush"/>, so a flushed stream is durable.
/// </summary>
/// <remarks>
/// Upper layers (the bootloader streaming partition images, recovery reflashing) use this to
/// speak <see cref="Stream"/>; the device is not disposed with the stream unless asked.
/// </remarks>
public sealed class BlockDeviceStream : Stream
{
    private readonly IBlockDevice _device;
    private readonly long _start;
    private readonly long _length;
    private readonly bool _ownsDevice;
    private readonly bool _writable;
    private long _position;
    private bool _disposed;

    /// <summary>A stream over the whole device.</summary>
    public BlockDeviceStream(IBlockDevice device, bool writable = true, bool ownsDevice = false)
        : this(device, 0, CheckedLength(device), writable, ownsDevice)
    {
    }

    /// <summary>A stream over the bytes [<paramref name="byteOffset"/>, byteOffset + <paramref name="byteLength"/>) of <paramref name="device"/>.</summary>
    public BlockDeviceStream(IBlockDevice device, long byteOffset, long byteLength, bool writable = true, bool ownsDevice = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        long deviceBytes = CheckedLength(device);
        if (byteOffset < 0 || byteLength < 0 || byteOffset > deviceBytes || byteLength > deviceBytes - byteOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"bytes [{byteOffset}, {byteOffset}+{byteLength}) are outside the device of {deviceBytes} bytes");
        }

        _device = device;
        _start = byteOffset;
        _length = byteLength;
        _writable = writable;
        _ownsDevice = ownsDevice;
    }

    /// <summary>The device under the stream.</summary>
    public IBlockDevice Device => _device;

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => !_disposed;

    /// <inheritdoc />
    public override bool CanWrite => !_disposed && _writable;

    /// <inheritdoc />
    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _length;
        }
    }

    /// <inheritdoc />
    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin), $"unknown seek origin {origin}"),
        };
        if (target < 0)
        {
            throw new IOException($"seek to {target}, before the start of the stream");
        }

        _position = target;
        return target;
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("a block device stream has the fixed length of its device range");

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_position >= _length)
        {
            return 0;
        }

        int n = (int)Math.Min(buffer.Length, _length - _position);
        ReadAt(_start + _position, buffer[..n]);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(buffer, offset, count));
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_writable)
        {
            throw new NotSupportedException("the stream was opened read-only");
        }

        if (buffer.Length > _length - Math.Min(_position, _length))
        {
            throw new IOException($"writing {buffer.Length} bytes at {_position} passes the end of the stream ({_length} bytes)");
        }

        WriteAt(_start + _position, buffer);
        _position += buffer.Length;
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writable)
        {
            _device.Flush();
        }
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed && _ownsDevice)
        {
            _device.Dispose();
        }

        _disposed = true;
        base.Dispose(disposing);
    }

    private static long CheckedLength(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.SectorCount * device.SectorSize;
    }

    private void ReadAt(long byteOffset, Span<byte> destination)
    {
        int sectorSize = _device.SectorSize;
        while (!destination.IsEmpty)
        {
            long sector = byteOffset / sectorSize;
            int within = (int)(byteOffset % sectorSize);
            if (within == 0 && destination.Length >= sectorSize)
            {
                // Aligned whole sectors: straight into the caller's buffer.
                int whole = destination.Length / sectorSize * sectorSize;
                _device.Read(sector, destination[..whole]);
                destination = destination[whole..];
                byteOffset += whole;
                continue;
            }

            int n = Math.Min(destination.Length, sectorSize - within);
            byte[] bounce = ArrayPool<byte>.Shared.Rent(sectorSize);
            try
            {
                _device.Read(sector, bounce.AsSpan(0, sectorSize));
                bounce.AsSpan(within, n).CopyTo(destination);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bounce);
            }

            destination = destination[n..];
            byteOffset += n;
        }
    }

    private void WriteAt(long byteOffset, ReadOnlySpan<byte> source)
    {
        int sectorSize = _device.SectorSize;
        while (!source.IsEmpty)
        {
            long sector = byteOffset / sectorSize;
            int within = (int)(byteOffset % sectorSize);
            if (within == 0 && source.Length >= sectorSize)
            {
                int whole = source.Length / sectorSize * sectorSize;
                _device.Write(sector, source[..whole]);
                source = source[whole..];
                byteOffset += whole;
                continue;
            }

            // A partial sector: read it, patch it, write it back (read-modify-write).
            int n = Math.Min(source.Length, sectorSize - within);
            byte[] bounce = ArrayPool<byte>.Shared.Rent(sectorSize);
            try
            {
                Span<byte> sectorBytes = bounce.AsSpan(0, sectorSize);
                _device.Read(sector, sectorBytes);
                source[..n].CopyTo(sectorBytes[within..]);
                _device.Write(sector, sectorBytes);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bounce);
            }

            source = source[n..];
            byteOffset += n;
        }
    }
}
