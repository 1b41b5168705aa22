namespace RecoverySim.GoldenImage.Hashing;

/// <summary>A read-only pass-through that hashes every byte read through it (the stored bytes of a compressed member).</summary>
internal sealed class HashingReadStream(Stream inner, Sha256Consumer hash) : ForwardOnlyReadStream
{
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        hash.Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash.Append(buffer.Span[..n]);
        return n;
    }
}
