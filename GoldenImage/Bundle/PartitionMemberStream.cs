using RecoverySim.GoldenImage.Hashing;
using ZstdSharp;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// The data of one partition member as <see cref="System.Formats.Tar.TarWriter"/> takes it: a
/// stream of known length that pushes its bytes (header, then payload, zstd-compressed or not)
/// into the archive when the writer copies it, in 1 MiB chunks. Because the length is known up
/// front, the tar header is written before the data and the archive needs no seeking.
/// Reading it directly is supported when uncompressed.
/// </summary>
internal sealed class PartitionMemberStream : Stream
{
    private readonly byte[] _header;
    private readonly Func<Stream> _openPayload;
    private readonly long _payloadLength;
    private readonly PartitionCompression _compression;
    private readonly int _level;
    private readonly Action<long>? _progress;
    private readonly long _length;
    private Stream? _readPayload;
    private long _position;

    public PartitionMemberStream(byte[] header, Func<Stream> openPayload, long payloadLength, PartitionCompression compression, int level,
        long memberLength, Action<long>? progress)
    {
        _header = header;
        _openPayload = openPayload;
        _payloadLength = payloadLength;
        _compression = compression;
        _level = level;
        _length = memberLength;
        _progress = progress;
    }

    /// <summary>Bytes of member data that were pushed (checked against the declared length).</summary>
    public long Written { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position { get => _position; set => throw new NotSupportedException("a partition member is written front to back"); }

    public override void CopyTo(Stream destination, int bufferSize) =>
        CopyToAsync(destination, bufferSize, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var counter = new CountingWriteStream(destination);
        if (_compression == PartitionCompression.Zstd)
        {
            var zstd = new CompressionStream(counter, _level, leaveOpen: true);
            await using (zstd.ConfigureAwait(false))
            {
                zstd.SetPledgedSrcSize((ulong)(_header.Length + _payloadLength));
                await WriteImageAsync(zstd, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await WriteImageAsync(counter, cancellationToken).ConfigureAwait(false);
        }

        Written = counter.Count;
        _position = Written;
        if (Written != _length)
        {
            // zstd is deterministic for the same input and level, so this means the input changed.
            throw new InvalidOperationException($"partition member data is {Written} bytes, {_length} were declared: did the payload change during the build?");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_compression != PartitionCompression.None)
        {
            throw new NotSupportedException("a compressed partition member is pushed with CopyTo, not read");
        }

        if (_position < _header.Length)
        {
            int n = (int)Math.Min(buffer.Length, _header.Length - _position);
            _header.AsSpan((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        _readPayload ??= _openPayload();
        int want = (int)Math.Min(buffer.Length, _length - _position);
        int got = want <= 0 ? 0 : _readPayload.Read(buffer[..want]);
        _position += got;
        return got;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a partition member is written front to back");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _readPayload?.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task WriteImageAsync(Stream sink, CancellationToken cancel)
    {
        await sink.WriteAsync(_header, cancel).ConfigureAwait(false);
        Stream payload = _openPayload();
        await using (payload.ConfigureAwait(false))
        {
            var progress = _progress is null ? null : new SyncProgress<long>(done => _progress(_header.Length + done));
            long copied = await ChunkPump.PumpAsync(payload, _payloadLength, [], sink, progress, useAsync: true, cancel).ConfigureAwait(false);
            if (copied != _payloadLength)
            {
                throw new InvalidOperationException($"payload shrank from {_payloadLength} to {copied} bytes during the build");
            }
        }
    }
}
