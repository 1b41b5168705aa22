using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Where a delta package's target image goes on its way to the caller's stream: it refuses a byte
/// past the manifest's size, hashes every byte, and keeps the first <see cref="PartitionHeader.Size"/>
/// bytes (the target's partition header, checked once the image is complete).
/// </summary>
internal sealed class ImageOutputStream(Stream inner, long maxLength, string member) : ForwardOnlyWriteStream
{
    private readonly Sha256Consumer _hash = new();
    private readonly byte[] _header = new byte[PartitionHeader.Size];

    /// <summary>Bytes written so far.</summary>
    public long Count { get; private set; }

    /// <summary>The first bytes written (the partition header once at least <see cref="PartitionHeader.Size"/> were).</summary>
    public ReadOnlySpan<byte> Header => _header.AsSpan(0, (int)Math.Min(Count, _header.Length));

    /// <summary>The SHA-256 of everything written, as 64 lowercase hex digits.</summary>
    public string FinishHash() => Convert.ToHexStringLower(_hash.Finish());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > maxLength - Count)
        {
            throw new ImageFormatException($"{member}: the target image goes on past the manifest's size of {maxLength} bytes", member, "size");
        }

        if (Count < _header.Length)
        {
            int n = (int)Math.Min(buffer.Length, _header.Length - Count);
            buffer[..n].CopyTo(_header.AsSpan((int)Count));
        }

        inner.Write(buffer);
        _hash.Append(buffer);
        Count += buffer.Length;
    }

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
