namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>Bits, most significant first, into a growing byte buffer (bzip2's bit order).</summary>
internal sealed class Bzip2BitWriter
{
    private byte[] _bytes;
    private int _length;
    private ulong _pending;
    private int _pendingBits;

    public Bzip2BitWriter(int capacity = 1 << 16) => _bytes = new byte[Math.Max(16, capacity)];

    /// <summary>Bits written so far.</summary>
    public long BitCount => ((long)_length * 8) + _pendingBits;

    /// <summary>Writes the low <paramref name="count"/> (at most 32) bits of <paramref name="value"/>.</summary>
    public void Write(int count, uint value)
    {
        _pending = (_pending << count) | (value & (uint)((1UL << count) - 1));
        _pendingBits += count;
        while (_pendingBits >= 8)
        {
            _pendingBits -= 8;
            Put((byte)(_pending >> _pendingBits));
        }
    }

    /// <summary>Appends every bit another writer holds (a block compressed on another thread).</summary>
    public void Append(Bzip2BitWriter other)
    {
        for (int i = 0; i < other._length; i++)
        {
            Write(8, other._bytes[i]);
        }

        if (other._pendingBits > 0)
        {
            Write(other._pendingBits, (uint)other._pending);
        }
    }

    /// <summary>Pads the last byte with zero bits and copies everything to <paramref name="output"/>.</summary>
    public void FlushTo(Stream output)
    {
        if (_pendingBits > 0)
        {
            Write(8 - _pendingBits, 0);
        }

        output.Write(_bytes, 0, _length);
    }

    private void Put(byte b)
    {
        if (_length == _bytes.Length)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }

        _bytes[_length++] = b;
    }
}
