using System.Text;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// A read-only pass-through stream placed under <see cref="System.Formats.Tar.TarReader"/>: it
/// follows the archive's block structure and checks every 512-byte header before the tar reader
/// parses it, so nothing a hostile header says (a PAX or GNU long-name record of gigabytes, a
/// link, a device) reaches an allocation. Golden images are strict POSIX ustar: regular files
/// only, no extension records, sizes below 8 GiB, and nothing but zeros after the end marker.
/// </summary>
internal sealed class TarStructureGuard : ForwardOnlyReadStream
{
    private readonly Stream _inner;
    private readonly byte[] _header = new byte[UstarLayout.BlockSize];
    private long _position;
    private long _dataEndAt;
    private long _nextHeaderAt;
    private int _headerFill;
    private long _endAt = -1;
    private bool _skipData;

    public TarStructureGuard(Stream inner) => _inner = inner;

    /// <summary>
    /// The data of the member whose header was just read is verified elsewhere (from the same
    /// file, by positional reads): when the tar reader advances over it, seek the file instead
    /// of reading it and hand the tar reader zeros, which it discards. Needs a seekable stream.
    /// </summary>
    public void SkipCurrentMemberData()
    {
        if (!_inner.CanSeek)
        {
            throw new InvalidOperationException("skipping member data needs a seekable stream");
        }

        _skipData = true;
    }

    /// <summary>Offset of the first zero block (the end-of-archive marker), or -1 if not seen yet.</summary>
    public long EndOfArchiveAt => _endAt;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _position;

    /// <summary>Name of the member whose header was read last (for messages).</summary>
    public string LastMemberName { get; private set; } = "";

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (TrySkip(buffer, out int skipped))
        {
            return skipped;
        }

        int n = _inner.Read(buffer);
        Inspect(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TrySkip(buffer.Span, out int skipped))
        {
            return skipped;
        }

        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Inspect(buffer.Span[..n]);
        return n;
    }

    private bool TrySkip(Span<byte> buffer, out int skipped)
    {
        skipped = 0;
        if (!_skipData || _endAt >= 0 || _position >= _dataEndAt)
        {
            _skipData &= _position < _dataEndAt;
            return false;
        }

        // Never past the end of the file: a truncated archive must still read as truncated.
        long left = Math.Min(_dataEndAt - _position, Math.Max(0, _inner.Length - _inner.Position));
        skipped = (int)Math.Min(buffer.Length, left);
        _inner.Seek(skipped, SeekOrigin.Current);
        buffer[..skipped].Clear();
        _position += skipped;
        return true;
    }

    /// <summary>
    /// After the tar reader reported the end of the archive: reads what is left and checks that
    /// it is zeros (at least the two end blocks, at most one 10240-byte record) and then the end
    /// of the stream. Anything else is data past the archive.
    /// </summary>
    public async ValueTask RequireEndAsync(CancellationToken cancel)
    {
        if (_endAt < 0)
        {
            throw new ImageFormatException($"golden image: no end-of-archive marker after '{LastMemberName}' (truncated)", field: "end_of_archive");
        }

        byte[] buffer = new byte[UstarLayout.BlockSize];
        while (true)
        {
            long trailing = _position - _endAt;
            int want = (int)Math.Min(buffer.Length, UstarLayout.MaxTrailingZeros + 1 - trailing);
            if (want <= 0)
            {
                throw new ImageFormatException($"golden image: more than {UstarLayout.MaxTrailingZeros} bytes after the last member (data past the end of the archive)", field: "end_of_archive");
            }

            int n = await ReadAsync(buffer.AsMemory(0, want), cancel).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
        }

        if (_position - _endAt < 2 * UstarLayout.BlockSize)
        {
            throw new ImageFormatException($"golden image: end-of-archive marker is {_position - _endAt} bytes, expected two zero blocks of {UstarLayout.BlockSize} (truncated)", field: "end_of_archive");
        }
    }

    private void Inspect(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_endAt >= 0)
            {
                // After the end marker only zeros may follow (tar pads to whole records with zeros).
                int bad = data.IndexOfAnyExcept((byte)0);
                if (bad >= 0)
                {
                    throw new ImageFormatException($"golden image: non-zero byte at offset {_position + bad}, after the end-of-archive marker at {_endAt} (data past the end of the archive)", field: "end_of_archive");
                }

                _position += data.Length;
                return;
            }

            if (_position < _dataEndAt)
            {
                // Member data: pass it through.
                int skip = (int)Math.Min(data.Length, _dataEndAt - _position);
                _position += skip;
                data = data[skip..];
                continue;
            }

            if (_position < _nextHeaderAt)
            {
                // Padding to the next 512-byte block: covered by no checksum or hash, so it must be zeros.
                int padding = (int)Math.Min(data.Length, _nextHeaderAt - _position);
                int bad = data[..padding].IndexOfAnyExcept((byte)0);
                if (bad >= 0)
                {
                    throw new ImageFormatException($"golden image: non-zero byte at offset {_position + bad} in the padding after member '{FieldText.Escape(LastMemberName)}'", LastMemberName, "tar_padding");
                }

                _position += padding;
                data = data[padding..];
                continue;
            }

            int take = Math.Min(data.Length, UstarLayout.BlockSize - _headerFill);
            data[..take].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            _position += take;
            data = data[take..];
            if (_headerFill == UstarLayout.BlockSize)
            {
                _headerFill = 0;
                long headerAt = _position - UstarLayout.BlockSize;
                if (!_header.AsSpan().ContainsAnyExcept((byte)0))
                {
                    _endAt = headerAt;
                    continue;
                }

                long size = CheckHeader(_header, headerAt);
                _dataEndAt = _position + size;
                _nextHeaderAt = _position + UstarLayout.Padded(size);
            }
        }
    }

    /// <summary>Checks one ustar header block (pax "ustar Interchange Format") and returns its data size.</summary>
    private long CheckHeader(ReadOnlySpan<byte> h, long at)
    {
        string name = Text(h.Slice(UstarLayout.NameOffset, UstarLayout.NameLength));
        string where = $"golden image: tar header at offset {at} (member '{FieldText.Escape(name)}')";
        LastMemberName = name;

        // Checksum: the sum of all header bytes with the checksum field taken as spaces.
        long expected = 0;
        for (int i = 0; i < h.Length; i++)
        {
            expected += i is >= UstarLayout.ChecksumOffset and < UstarLayout.ChecksumOffset + UstarLayout.ChecksumLength ? (byte)' ' : h[i];
        }

        // The checksum field is exactly six octal digits, NUL, space (what POSIX tar and .NET
        // write): a looser parse would accept a header whose checksum field alone was altered.
        ReadOnlySpan<byte> checksumField = h.Slice(UstarLayout.ChecksumOffset, UstarLayout.ChecksumLength);
        if (checksumField[6] != 0 || checksumField[7] != (byte)' ' || checksumField[..6].ContainsAnyExceptInRange((byte)'0', (byte)'7'))
        {
            throw new ImageFormatException($"{where}: checksum field '{FieldText.Escape(Encoding.ASCII.GetString(checksumField))}' is not six octal digits, NUL, space", name, "tar_checksum");
        }

        long stored = Octal(checksumField, where, "checksum");
        if (stored != expected)
        {
            throw new ImageFormatException($"{where}: checksum is {expected}, header says {stored}", name, "tar_checksum");
        }

        byte type = h[UstarLayout.TypeFlagOffset];
        if (type != (byte)'0')
        {
            string kind = type switch
            {
                (byte)'1' => "a hard link",
                (byte)'2' => "a symbolic link",
                (byte)'3' => "a character device",
                (byte)'4' => "a block device",
                (byte)'5' => "a directory",
                (byte)'6' => "a FIFO",
                (byte)'7' => "a contiguous file",
                (byte)'x' => "a PAX extended header",
                (byte)'g' => "a PAX global header",
                (byte)'L' or (byte)'K' => "a GNU long-name record",
                0 => "an old-style regular file",
                _ => $"of type '{FieldText.Escape(((char)type).ToString())}'",
            };
            throw new ImageFormatException($"{where}: member is {kind}; a golden image holds regular files only", name, "tar_type");
        }

        if (!h.Slice(UstarLayout.MagicOffset, UstarLayout.MagicLength).SequenceEqual("ustar\0"u8)
            || !h.Slice(UstarLayout.VersionOffset, UstarLayout.VersionLength).SequenceEqual("00"u8))
        {
            throw new ImageFormatException($"{where}: not a POSIX ustar header (magic '{FieldText.Escape(Encoding.ASCII.GetString(h.Slice(UstarLayout.MagicOffset, 8)))}', expected 'ustar\\x0000')", name, "tar_magic");
        }

        if (h.Slice(UstarLayout.LinkNameOffset, UstarLayout.LinkNameLength).ContainsAnyExcept((byte)0))
        {
            throw new ImageFormatException($"{where}: has a link name; a golden image holds regular files only", name, "tar_link_name");
        }

        if (h.Slice(UstarLayout.PrefixOffset, UstarLayout.PrefixLength).ContainsAnyExcept((byte)0))
        {
            throw new ImageFormatException($"{where}: has a path prefix; member names are plain file names", name, "tar_name");
        }

        return Octal(h.Slice(UstarLayout.SizeOffset, UstarLayout.SizeLength), where, "size");
    }

    private static long Octal(ReadOnlySpan<byte> field, string where, string what)
    {
        // 1 to 11 octal digits from the first byte, then only NULs or spaces (docs/FORMAT.md; POSIX
        // tar, GNU tar and .NET write leading zeros, never leading spaces, so none are accepted).
        int i = 0;
        long value = 0;
        int digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            value = (value << 3) | (uint)(field[i] - '0');
        }

        if (digits == 0 || digits > 11 || field[i..].ContainsAnyExcept((byte)0, (byte)' '))
        {
            throw new ImageFormatException($"{where}: {what} field '{FieldText.Escape(Encoding.ASCII.GetString(field))}' is not 1 to 11 octal digits followed by NULs or spaces", null, "tar_" + what);
        }

        return value;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
    }
}
