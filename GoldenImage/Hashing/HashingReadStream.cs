namespace RecoverySim.GoldenImage.Hashing;

/// <summary>A read-only pass-through that hashes and counts every byte read through it (the stored bytes of a compressed member, a whole package file).</summary>
internal sealed class HashingReadStream(Stream inner, Sha256Consumer hash) : ForwardOnlyReadStream
{
    /// <summary>Bytes read through the stream so far.</summary>
    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        hash.Append(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash.Append(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }
}
