using System.Buffers;

namespace RecoverySim.Tftp.Text;

/// <summary>
/// Writes netascii received from the wire as a local (Unix) text file: CR LF becomes LF and
/// CR NUL becomes CR (RFC 1350 section 1, after RFC 764). A CR at the end of one block is held
/// until the next byte arrives, so a pair split across two DATA blocks decodes correctly.
/// Call <see cref="Complete"/> after the last write: a final lone CR is written then.
/// </summary>
public sealed class NetasciiDecodingStream : Stream
{
    private const int ChunkSize = 64 * 1024;
    private readonly Stream inner;
    private readonly bool leaveOpen;
    private byte[]? chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private bool pendingCr;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NetasciiDecodingStream(Stream inner, bool leaveOpen = false)
    {
        this.inner = inner;
        this.leaveOpen = leaveOpen;
    }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, ChunkSize / 2);
            int length = Decode(buffer[..take]);
            inner.Write(Chunk, 0, length);
            buffer = buffer[take..];
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, ChunkSize / 2);
            int length = Decode(buffer.Span[..take]);
            await inner.WriteAsync(Chunk.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            buffer = buffer[take..];
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Ends the text: a CR still held (the last byte received) is written as a CR.</summary>
    public void Complete()
    {
        if (pendingCr)
        {
            pendingCr = false;
            inner.WriteByte((byte)'\r');
        }

        inner.Flush();
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

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

    private byte[] Chunk => chunk ?? throw new ObjectDisposedException(nameof(NetasciiDecodingStream));

    // Decodes source into the chunk; the output is never longer than the input plus one held CR.
    private int Decode(ReadOnlySpan<byte> source)
    {
        byte[] output = Chunk;
        int written = 0;
        foreach (byte b in source)
        {
            if (pendingCr)
            {
                pendingCr = false;
                if (b == (byte)'\n')
                {
                    output[written++] = (byte)'\n';
                    continue;
                }

                // CR NUL is a bare CR; CR followed by anything else is kept as CR (lenient: not netascii, but not worth failing a transfer).
                output[written++] = (byte)'\r';
                if (b == 0)
                {
                    continue;
                }
            }

            if (b == (byte)'\r')
            {
                pendingCr = true;
            }
            else
            {
                output[written++] = b;
            }
        }

        return written;
    }
}
