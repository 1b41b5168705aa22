using System.Buffers;
using System.Security.Cryptography;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Install;

/// <summary>
/// The write side of one install (<see cref="SlotInstaller.Begin"/>): a write-only stream of one
/// partition image, header first. The header bytes are held back; payload bytes are staged into
/// whole 1 MiB chunks and written to every target after the header region; every
/// <see cref="SlotInstallOptions.DurableInterval"/> bytes the targets are flushed and the hook is
/// told. <see cref="Commit"/> writes the rest, flushes, writes the header, flushes, and reads every
/// target back. Disposing without a commit leaves the targets with a zero header.
/// </summary>
public sealed class SlotWriteStream : Stream
{
    private readonly SlotTarget[] _targets;
    private readonly long _length;
    private readonly long _payloadLength;
    private readonly long _resume;
    private readonly SlotInstallOptions _options;
    private readonly byte[] _header = new byte[PartitionHeader.Size];
    private readonly byte[] _chunk;
    private readonly IncrementalHash? _incoming;
    private long _position;
    private int _staged;
    private bool _committed;
    private bool _disposed;

    internal SlotWriteStream(SlotTarget[] targets, long length, SlotInstallOptions options)
    {
        _targets = targets;
        _length = length;
        _payloadLength = length - PartitionHeader.Size;
        _options = options;
        long chunk = SlotInstallOptions.ChunkBytes;
        _resume = options.ResumePayloadBytes >= _payloadLength ? _payloadLength : options.ResumePayloadBytes / chunk * chunk;
        _chunk = ArrayPool<byte>.Shared.Rent(SlotInstallOptions.ChunkBytes);
        _incoming = options.ExpectedImageSha256 is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    /// <summary>Payload bytes the install skips because they were durable already (the resume offset, rounded down to a chunk).</summary>
    public long SkippedPayloadBytes => _resume;

    /// <summary>Payload bytes on the medium of every target so far (flushed).</summary>
    public long DurablePayloadBytes { get; private set; }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed;

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("a slot install is written in order");
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("the install is already committed");
        }

        if (buffer.Length > _length - _position)
        {
            throw new SlotInstallException(_targets[0].Name, $"partition image longer than the {_length} bytes declared for it");
        }

        _incoming?.AppendData(buffer);
        if (_position < PartitionHeader.Size)
        {
            int n = (int)Math.Min(buffer.Length, PartitionHeader.Size - _position);
            buffer[..n].CopyTo(_header.AsSpan((int)_position));
            _position += n;
            buffer = buffer[n..];
        }

        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, SlotInstallOptions.ChunkBytes - _staged);
            buffer[..n].CopyTo(_chunk.AsSpan(_staged));
            _staged += n;
            _position += n;
            buffer = buffer[n..];
            if (_staged == SlotInstallOptions.ChunkBytes)
            {
                OnTargets(WriteStaged);
            }
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Ends the install: the last payload bytes, a flush, the header, a flush, then every target
    /// read back and hashed against <see cref="SlotInstallOptions.ExpectedImageSha256"/> (or the
    /// bytes as written). <paramref name="verifiedHeader"/>, when not empty, must equal the header
    /// that streamed (the reader verified it). Returns the header written.
    /// </summary>
    /// <exception cref="SlotInstallException">The image is incomplete, or a target read back wrong (its header is zeroed again).</exception>
    public PartitionHeader Commit(ReadOnlySpan<byte> verifiedHeader = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string names = string.Join(", ", _targets.Select(t => t.Name));
        if (_position != _length)
        {
            throw new SlotInstallException(_targets[0].Name, $"partition image for {names} ended after {_position} of {_length} bytes");
        }

        if (!verifiedHeader.IsEmpty && !verifiedHeader.SequenceEqual(_header))
        {
            throw new SlotInstallException(_targets[0].Name, $"partition image for {names}: the header changed while it streamed");
        }

        PartitionHeader parsed;
        try
        {
            parsed = PartitionHeader.Parse(_header);
        }
        catch (GoldenImage.ImageFormatException e)
        {
            throw new SlotInstallException(_targets[0].Name, $"partition image for {names}: {e.Message}");
        }

        if (_staged > 0)
        {
            OnTargets(WriteStaged);
        }

        if (DurablePayloadBytes < _payloadLength)
        {
            OnTargets(FlushTargets);
            DurablePayloadBytes = _payloadLength;
            _options.Hook?.PayloadDurable(_payloadLength);
        }

        OnTargets(() =>
        {
            foreach (SlotTarget target in _targets)
            {
                target.Device.Write(0, _header);
            }

            FlushTargets();
        });
        byte[] expected = _options.ExpectedImageSha256 ?? _incoming!.GetHashAndReset();
        foreach (SlotTarget target in _targets)
        {
            byte[] actual = [];
            OnTargets(() => actual = PayloadHash.Compute(target.Device, 0, _length));
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                SlotInstaller.ClearHeaders(_targets);
                throw new SlotInstallException(target.Name,
                    $"{target.Name}: read back after writing, SHA-256 of the image is {Convert.ToHexStringLower(actual)}, expected {Convert.ToHexStringLower(expected)}", targetAtFault: true);
            }
        }

        _committed = true;
        _options.Hook?.Installed();
        return parsed;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        // Durability comes in whole intervals and with Commit; a flush in between promises nothing.
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ArrayPool<byte>.Shared.Return(_chunk);
            _incoming?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteStaged()
    {
        // The staged chunk covers payload bytes [end - staged, end). A partial last chunk is padded
        // with zeros to whole sectors: the bytes after the image are unused space of the partition.
        long end = _position - PartitionHeader.Size;
        long start = end - _staged;
        if (start >= _resume)
        {
            foreach (SlotTarget target in _targets)
            {
                int sectorSize = target.Device.SectorSize;
                int bytes = (_staged + sectorSize - 1) / sectorSize * sectorSize;
                _chunk.AsSpan(_staged, bytes - _staged).Clear();
                target.Device.Write((PartitionHeader.Size + start) / sectorSize, _chunk.AsSpan(0, bytes));
            }

            if (end % _options.DurableInterval == 0 && end < _payloadLength)
            {
                FlushTargets();
                DurablePayloadBytes = end;
                _options.Hook?.PayloadDurable(end);
            }
        }
        else
        {
            DurablePayloadBytes = Math.Min(end, _resume);
        }

        _staged = 0;
    }

    /// <summary>Runs device operations, turning a medium error of a target into the install's failure (a power cut passes as it is).</summary>
    private void OnTargets(Action operation) => SlotInstaller.OnTargets(_targets, operation);

    private void FlushTargets()
    {
        foreach (SlotTarget target in _targets)
        {
            target.Device.Flush();
        }
    }
}
