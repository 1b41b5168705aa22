using RecoverySim.BlockDevice;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// A write-only stream that puts one partition image into several partitions at once (the same
/// kind in each slot): bytes after the header go straight to every device; the header bytes are
/// kept aside until <see cref="Commit"/>, so no device shows a header before its payload is complete.
/// </summary>
internal sealed class SlotTeeStream : Stream
{
    private readonly BlockDeviceStream[] _payloads;
    private readonly IBlockDevice[] _devices;
    private readonly byte[] _header = new byte[PartitionHeader.Size];
    private readonly long _length;
    private long _position;

    public SlotTeeStream(IBlockDevice[] devices, long length)
    {
        foreach (IBlockDevice device in devices)
        {
            long capacity = device.SectorCount * device.SectorSize;
            if (length > capacity || length < PartitionHeader.Size)
            {
                throw new BoardException($"partition image of {length} bytes does not fit a partition of {capacity} bytes (header {PartitionHeader.Size} bytes included)");
            }
        }

        _devices = devices;
        _length = length;
        _payloads = devices.Select(d => new BlockDeviceStream(d, PartitionHeader.Size, length - PartitionHeader.Size)).ToArray();
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("a slot stream is written in order");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_position + buffer.Length > _length)
        {
            throw new BoardException($"partition image longer than the {_length} bytes its manifest declares");
        }

        if (_position < PartitionHeader.Size)
        {
            int n = (int)Math.Min(buffer.Length, PartitionHeader.Size - _position);
            buffer[..n].CopyTo(_header.AsSpan((int)_position));
            _position += n;
            buffer = buffer[n..];
        }

        foreach (BlockDeviceStream payload in _payloads)
        {
            payload.Write(buffer);
        }

        _position += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes the payloads, then writes the verified header to every device and flushes again.</summary>
    public void Commit(ReadOnlySpan<byte> verifiedHeader)
    {
        if (_position != _length || !verifiedHeader.SequenceEqual(_header))
        {
            throw new BoardException("partition image incomplete or its header changed while it streamed");
        }

        foreach (BlockDeviceStream payload in _payloads)
        {
            payload.Flush();
        }

        foreach (IBlockDevice device in _devices)
        {
            device.Write(0, _header);
            device.Flush();
        }
    }

    public override void Flush()
    {
        // Durability comes with Commit; a flush in the middle of a partition has nothing to promise.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (BlockDeviceStream payload in _payloads)
            {
                payload.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
