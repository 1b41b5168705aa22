using Microsoft.Win32.SafeHandles;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// A read-only view of <c>[offset, offset + length)</c> of an open file, read with positional
/// reads (<see cref="RandomAccess"/>), so several views of one file can be read at once, on
/// several threads, without disturbing the file stream's own position.
/// </summary>
internal sealed class FileRangeStream(SafeFileHandle handle, long offset, long length) : ForwardOnlyReadStream
{
    private long _position;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        int want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        int n = RandomAccess.Read(handle, buffer[..want], offset + _position);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        int n = await RandomAccess.ReadAsync(handle, buffer[..want], offset + _position, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }
}
