namespace RecoverySim.GoldenImage.Hashing;

/// <summary>
/// A write-only pass-through that counts bytes (or, over <see cref="Stream.Null"/>, only counts),
/// and hashes them when given a hasher.
/// </summary>
internal sealed class CountingWriteStream(Stream inner, Sha256Consumer? hash = null) : ForwardOnlyWriteStream
{
    /// <summary>Bytes written so far.</summary>
    public long Count { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        hash?.Append(buffer);
        Count += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash?.Append(buffer.Span);
        Count += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
