using RecoverySim.GoldenImage;

namespace RecoverySim.Recovery.Sources;

/// <summary>A read-only pass-through that counts the bytes read (bytes fetched from a source).</summary>
internal sealed class CountingReadStream(Stream inner) : ForwardOnlyReadStream
{
    private long _read;

    public long BytesRead => Volatile.Read(ref _read);

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Interlocked.Add(ref _read, n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _read, n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
