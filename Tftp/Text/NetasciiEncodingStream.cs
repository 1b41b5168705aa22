using System.Buffers;

namespace RecoverySim.Tftp.Text;

/// <summary>
/// Reads a local file as netascii (RFC 1350 section 1, after RFC 764): LF becomes CR LF and a
/// bare CR becomes CR NUL. Read-only, forward-only; a pair cut by the caller's buffer is
/// finished on the next read, so a CR LF may span two DATA blocks.
/// </summary>
public sealed class NetasciiEncodingStream : Stream
{
    private const int ChunkSize = 64 * 1024;
    private readonly Stream inner;
    private readonly bool leaveOpen;
    private byte[]? chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int chunkPosition;
    private int chunkLength;
    private int pending = -1;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NetasciiEncodingStream(Stream inner, bool leaveOpen = false)
    {
        this.inner = inner;
        this.leaveOpen = leaveOpen;
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("netascii length is known only after reading");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int written = 0;
        while (written < buffer.Length)
        {
            if (pending < 0 && chunkPosition == chunkLength)
            {
                chunkLength = inner.Read(Chunk);
                chunkPosition = 0;
                if (chunkLength == 0)
                {
                    break;
                }
            }

            written += Encode(buffer[written..]);
        }

        return written;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int written = 0;
        while (written < buffer.Length)
        {
            if (pending < 0 && chunkPosition == chunkLength)
            {
                chunkLength = await inner.ReadAsync(Chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                chunkPosition = 0;
                if (chunkLength == 0)
                {
                    break;
                }
            }

            written += Encode(buffer.Span[written..]);
        }

        return written;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk);
                chunk = null;
            }

            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private byte[] Chunk => chunk ?? throw new ObjectDisposedException(nameof(NetasciiEncodingStream));

    // Encodes from the chunk into destination until one of them is exhausted.
    private int Encode(Span<byte> destination)
    {
        int written = 0;
        if (pending >= 0)
        {
            destination[written++] = (byte)pending;
            pending = -1;
        }

        byte[] source = Chunk;
        while (written < destination.Length && chunkPosition < chunkLength)
        {
            byte b = source[chunkPosition++];
            if (b is (byte)'\n' or (byte)'\r')
            {
                destination[written++] = (byte)'\r';
                byte second = b == (byte)'\n' ? (byte)'\n' : (byte)0;
                if (written < destination.Length)
                {
                    destination[written++] = second;
                }
                else
                {
                    pending = second;
                }
            }
            else
            {
                destination[written++] = b;
            }
        }

        return written;
    }
}
