using System.Buffers;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A read-only, seekable stream of one file's bytes, exactly its directory entry's size long. The
/// chain was resolved (and checked) when the stream was opened; each contiguous run of clusters is
/// one stretch of device sectors. Large aligned reads go straight from the device into the caller's
/// buffer; small or unaligned ones are served from a read-ahead buffer of up to
/// <see cref="ReadAheadBytes"/> taken from one run, so a file streams in large reads whatever the caller's buffer.
/// </summary>
internal sealed class FatFileStream : Stream
{
    /// <summary>Bytes read ahead for small or unaligned reads (at most one run's remainder).</summary>
    public const int ReadAheadBytes = 1 << 20;

    private readonly IBlockDevice _device;
    private readonly Segment[] _segments;
    private readonly long _length;
    private readonly int _sectorSize;
    private byte[]? _buffer;
    private long _bufferStart;
    private int _bufferLength;
    private long _position;
    private bool _disposed;

    /// <summary>Creates the stream over <paramref name="runs"/> of the volume on <paramref name="device"/>.</summary>
    public FatFileStream(IBlockDevice device, FatBootSector boot, IReadOnlyList<ClusterRun> runs, long length)
    {
        _device = device;
        _length = length;
        _sectorSize = device.SectorSize;
        int deviceSectorsPerFatSector = boot.BytesPerSector / device.SectorSize;
        long clusterBytes = boot.ClusterBytes;
        _segments = new Segment[runs.Count];
        long fileOffset = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            long firstSector = (boot.FirstDataSector + ((runs[i].First - 2L) * boot.SectorsPerCluster)) * deviceSectorsPerFatSector;
            _segments[i] = new Segment(fileOffset, firstSector, runs[i].Count * clusterBytes);
            fileOffset += runs[i].Count * clusterBytes;
        }
    }

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => !_disposed;

    /// <inheritdoc />
    public override bool CanWrite => false;

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
            _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "not a SeekOrigin"),
        };
        if (target < 0)
        {
            throw new IOException($"seek to {target}, before the start of the file");
        }

        _position = target;
        return target;
    }

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
        if (_position >= _length || buffer.IsEmpty)
        {
            return 0;
        }

        int wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (_buffer is not null && _position >= _bufferStart && _position < _bufferStart + _bufferLength)
        {
            int n = (int)Math.Min(wanted, _bufferStart + _bufferLength - _position);
            _buffer.AsSpan((int)(_position - _bufferStart), n).CopyTo(buffer);
            _position += n;
            return n;
        }

        Segment segment = Locate(_position);
        long within = _position - segment.FileOffset;
        long leftInSegment = segment.Length - within;
        if (within % _sectorSize == 0 && wanted >= _sectorSize)
        {
            // Straight into the caller's buffer, whole sectors, as far as this run goes.
            int direct = (int)(Math.Min(wanted, leftInSegment) / _sectorSize * _sectorSize);
            _device.Read(segment.FirstSector + (within / _sectorSize), buffer[..direct]);
            _position += direct;
            return direct;
        }

        // Read ahead from the sector holding the position, whole sectors inside this run.
        long alignedWithin = within / _sectorSize * _sectorSize;
        int length = (int)Math.Min(ReadAheadBytes, segment.Length - alignedWithin);
        _buffer ??= ArrayPool<byte>.Shared.Rent(ReadAheadBytes);
        _bufferLength = 0;
        _device.Read(segment.FirstSector + (alignedWithin / _sectorSize), _buffer.AsSpan(0, length));
        _bufferStart = segment.FileOffset + alignedWithin;
        _bufferLength = length;
        return Read(buffer);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The device is synchronous (IBlockDevice); the read completes before this returns.
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("a file on a FAT volume is read-only");

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a file on a FAT volume is read-only");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>The run holding file byte <paramref name="position"/> (which is below the length, so inside the chain).</summary>
    private Segment Locate(long position)
    {
        int low = 0;
        int high = _segments.Length - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (_segments[middle].FileOffset <= position)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return _segments[low];
    }

    /// <summary>One run: file bytes [FileOffset, FileOffset + Length) are device sectors from FirstSector on.</summary>
    private readonly record struct Segment(long FileOffset, long FirstSector, long Length);
}
