using System.Security.Cryptography;

namespace RecoverySim.GoldenImage.Hashing;

/// <summary>
/// An incremental SHA-256 (System.Security.Cryptography: OpenSSL and the CPU's SHA extensions
/// underneath, never a managed implementation) fed chunk by chunk by <see cref="ChunkPump"/>.
/// </summary>
internal sealed class Sha256Consumer : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>The consumer to hand to <see cref="ChunkPump"/>.</summary>
    public Action<ReadOnlyMemory<byte>> Consumer => data => _hash.AppendData(data.Span);

    /// <summary>Feeds bytes that precede the pumped data (a header).</summary>
    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>The hash of everything fed so far; the hasher starts over.</summary>
    public byte[] Finish() => _hash.GetHashAndReset();

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();
}
