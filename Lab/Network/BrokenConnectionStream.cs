using RecoverySim.GoldenImage;

namespace RecoverySim.Lab.Network;

/// <summary>
/// A body that fails as a dropped connection does: <paramref name="limit"/> bytes of <paramref name="inner"/>,
/// then an <see cref="IOException"/> naming <paramref name="why"/>. The Lab's update server breaks a
/// download with it; the agent's tests cut a real server's responses with it.
/// </summary>
public sealed class BrokenConnectionStream(Stream inner, long limit, string why = "a dropped connection") : ForwardOnlyReadStream
{
    private long _read;

    /// <inheritdoc/>
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (_read >= limit)
        {
            throw new IOException($"the connection broke after {limit} bytes ({why})");
        }

        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - _read)]);
        _read += n;
        return n;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_read >= limit)
        {
            throw new IOException($"the connection broke after {limit} bytes ({why})");
        }

        int n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, limit - _read)], cancellationToken).ConfigureAwait(false);
        _read += n;
        return n;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
