namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// A read-only, seekable view of bytes <c>[offset, offset + length)</c> of a seekable stream, with
/// its own position: several windows over one stream (the three blocks of a patch) are read in
/// turn, each seeking the stream to where it stopped. Buffered, because the bzip2 decoder reads
/// one byte at a time; <see cref="Position"/> counts the bytes handed out, not those buffered.
/// Windows over one stream may be read on different threads: each seek-and-read holds the
/// inner stream's lock. One window is read by one thread at a time.
/// </summary>
public sealed class StreamWindow : Stream
{
    private const int BufferSize = 64 << 10;

    private readonly Stream _inner;
    private readonly long _offset;
    private readonly long _length;
    private readonly byte[] _buffer;
    private long _position;
    private int _bufferStart;
    private int _bufferEnd;

    /// <summary>Creates the view; the inner stream must be seekable and long enough to hold it.</summary>
    /// <exception cref="ArgumentException">The stream cannot seek, or the window is not inside it.</exception>
    public StreamWindow(Stream inner, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanSeek || !inner.CanRead)
        {
            throw new ArgumentException("a stream window needs a readable, seekable stream", nameof(inner));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset > inner.Length - length)
        {
            throw new ArgumentException($"window [{offset}, {offset} + {length}) is not inside the stream's {inner.Length} bytes", nameof(length));
        }

        _inner = inner;
        _offset = offset;
        _length = length;
        _buffer = new byte[(int)Math.Min(BufferSize, Math.Max(1, length))];
    }

    /// <summary>Bytes not yet read.</summary>
    public long Remaining => _length - _position;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => true;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        if (_bufferStart == _bufferEnd && !Fill())
        {
            return -1;
        }

        _position++;
        return _buffer[_bufferStart++];
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_bufferStart == _bufferEnd)
        {
            if (buffer.Length >= _buffer.Length)
            {
                // Large reads go straight through.
                int want = (int)Math.Min(buffer.Length, Remaining);
                if (want == 0)
                {
                    return 0;
                }

                int n = ReadInner(buffer[..want]);
                _position += n;
                return n;
            }

            if (!Fill())
            {
                return 0;
            }
        }

        int take = Math.Min(buffer.Length, _bufferEnd - _bufferStart);
        _buffer.AsSpan(_bufferStart, take).CopyTo(buffer);
        _bufferStart += take;
        _position += take;
        return take;
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0 || target > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), target, $"a position inside the window's {_length} bytes");
        }

        long buffered = _bufferEnd - _bufferStart;
        if (target >= _position && target - _position <= buffered)
        {
            _bufferStart += (int)(target - _position);
        }
        else
        {
            _bufferStart = _bufferEnd = 0;
        }

        _position = target;
        return target;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int ReadInner(Span<byte> buffer)
    {
        lock (_inner)
        {
            _inner.Position = _offset + _position;
            return _inner.Read(buffer);
        }
    }

    private bool Fill()
    {
        int want = (int)Math.Min(_buffer.Length, Remaining);
        if (want == 0)
        {
            return false;
        }

        int n = ReadInner(_buffer.AsSpan(0, want));
        _bufferStart = 0;
        _bufferEnd = n;
        return n > 0;
    }
}
