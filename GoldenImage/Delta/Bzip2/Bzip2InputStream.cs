namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>
/// A bzip2 decoder (bzip2 1.0 stream format, as libbzip2's decompress.c reads it) for one stream,
/// read-only and forward-only, for hostile input: every count the stream declares is bounded
/// before use (block size by the level, 2 to 6 tables, 1 to 18 002 selectors, code lengths 1 to
/// 20, the origin pointer and every run inside the block), each block's CRC and the combined
/// CRC are checked, and randomised blocks (obsolete since bzip2 0.9.5) are refused. It reads its
/// input one byte at a time and never past the stream's last byte, so the caller can tell what
/// follows. Bad data is an <see cref="InvalidDataException"/> saying what and where.
/// </summary>
internal sealed class Bzip2InputStream(Stream input) : ForwardOnlyReadStream
{
    private const int MaxGroups = 6, MaxSelectors = 18_002, MaxCodeLength = 20, MaxAlphaSize = 258, GroupSize = 50;

    private ulong _bits;
    private int _bitCount;
    private int _blockMax;
    private bool _started;
    private bool _ended;
    private uint _combinedCrc;

    // The current block, inverse-transformed lazily.
    private int[] _tt = [];
    private byte[] _lastColumn = [];
    private int _blockLength;
    private int _emitted;
    private int _position;
    private uint _blockCrc;
    private uint _storedBlockCrc;

    // Inverse run-length state: the last byte, how many equal in a row, copies still to emit.
    private int _last = -1;
    private int _equal;
    private int _repeat;

    public override int Read(Span<byte> buffer)
    {
        int written = 0;
        while (written < buffer.Length)
        {
            if (_repeat > 0)
            {
                int n = Math.Min(_repeat, buffer.Length - written);
                buffer.Slice(written, n).Fill((byte)_last);
                _blockCrc = Bzip2Crc.Update(_blockCrc, (byte)_last, n);
                _repeat -= n;
                written += n;
                continue;
            }

            if (_emitted == _blockLength)
            {
                if (!NextBlock())
                {
                    break;
                }

                continue;
            }

            int entry = _tt[_position];
            byte b = (byte)entry;
            _position = entry >> 8;
            _emitted++;
            if (_equal == 4)
            {
                // After four equal bytes, this one is a count of further copies.
                _repeat = b;
                _equal = 0;
                continue;
            }

            _equal = b == _last ? _equal + 1 : 1;
            _last = b;
            buffer[written++] = b;
            _blockCrc = Bzip2Crc.Update(_blockCrc, [b]);
        }

        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Checks the block just emitted and reads the next; false at the end of the stream.</summary>
    private bool NextBlock()
    {
        if (_ended)
        {
            return false;
        }

        if (!_started)
        {
            _started = true;
            if (Bits(24) != 0x425A68)
            {
                throw new InvalidDataException("not a bzip2 stream (no 'BZh' magic)");
            }

            uint level = Bits(8);
            if (level is < '1' or > '9')
            {
                throw new InvalidDataException($"bzip2 block size byte 0x{level:x2} is not '1' to '9'");
            }

            _blockMax = (int)(level - '0') * 100_000;
        }
        else
        {
            if (~_blockCrc != _storedBlockCrc)
            {
                throw new InvalidDataException($"bzip2 block CRC is {~_blockCrc:x8}, the block says {_storedBlockCrc:x8}");
            }

            _combinedCrc = ((_combinedCrc << 1) | (_combinedCrc >> 31)) ^ _storedBlockCrc;
        }

        ulong magic = ((ulong)Bits(24) << 24) | Bits(24);
        if (magic == 0x177245385090)
        {
            uint stored = Bits(32);
            if (stored != _combinedCrc)
            {
                throw new InvalidDataException($"bzip2 stream CRC is {_combinedCrc:x8}, the stream says {stored:x8}");
            }

            _ended = true;
            return false;
        }

        if (magic != 0x314159265359)
        {
            throw new InvalidDataException($"bzip2 block magic is {magic:x12}, expected 314159265359 or the end 177245385090");
        }

        ReadBlock();
        return true;
    }

    private void ReadBlock()
    {
        _storedBlockCrc = Bits(32);
        if (Bits(1) != 0)
        {
            throw new InvalidDataException("randomised bzip2 block (obsolete since bzip2 0.9.5) refused");
        }

        int origin = (int)Bits(24);

        // The byte map: which of the 256 bytes occur, in 16 ranges of 16.
        Span<byte> seqToUnseq = stackalloc byte[256];
        int inUse = 0;
        uint ranges = Bits(16);
        for (int r = 0; r < 16; r++)
        {
            if ((ranges & (0x8000u >> r)) != 0)
            {
                uint used = Bits(16);
                for (int b = 0; b < 16; b++)
                {
                    if ((used & (0x8000u >> b)) != 0)
                    {
                        seqToUnseq[inUse++] = (byte)((r * 16) + b);
                    }
                }
            }
        }

        if (inUse == 0)
        {
            throw new InvalidDataException("bzip2 block uses no byte values");
        }

        int alphaSize = inUse + 2;
        int groups = (int)Bits(3);
        int selectorCount = (int)Bits(15);
        if (groups is < 2 or > MaxGroups || selectorCount is < 1 or > MaxSelectors)
        {
            throw new InvalidDataException($"bzip2 block has {groups} tables and {selectorCount} selectors, expected 2 to {MaxGroups} and 1 to {MaxSelectors}");
        }

        byte[] selectors = new byte[selectorCount];
        Span<byte> positions = [0, 1, 2, 3, 4, 5];
        for (int i = 0; i < selectorCount; i++)
        {
            int j = 0;
            while (Bits(1) == 1)
            {
                if (++j >= groups)
                {
                    throw new InvalidDataException($"bzip2 selector {i} names table {j} of {groups}");
                }
            }

            byte table = positions[j];
            positions[..j].CopyTo(positions[1..]);
            positions[0] = table;
            selectors[i] = table;
        }

        // Code lengths, delta coded, then canonical decoding tables per group (libbzip2's limit/base/perm).
        var limit = new int[groups, MaxCodeLength + 2];
        var baseOf = new int[groups, MaxCodeLength + 2];
        var perm = new int[groups, MaxAlphaSize];
        Span<int> minLength = stackalloc int[MaxGroups];
        Span<byte> lengths = stackalloc byte[MaxAlphaSize];
        for (int t = 0; t < groups; t++)
        {
            int current = (int)Bits(5);
            for (int v = 0; v < alphaSize; v++)
            {
                while (true)
                {
                    if (current is < 1 or > MaxCodeLength)
                    {
                        throw new InvalidDataException($"bzip2 table {t}: code length {current} of symbol {v} is not 1 to {MaxCodeLength}");
                    }

                    if (Bits(1) == 0)
                    {
                        break;
                    }

                    current += Bits(1) == 0 ? 1 : -1;
                }

                lengths[v] = (byte)current;
            }

            minLength[t] = BuildTable(t, lengths[..alphaSize], limit, baseOf, perm);
        }

        // The symbols: move-to-front indices with zero runs, to the end-of-block symbol.
        int endOfBlock = inUse + 1;
        if (_tt.Length < _blockMax)
        {
            _tt = new int[_blockMax];
            _lastColumn = new byte[_blockMax];
        }

        byte[] lastColumn = _lastColumn;
        Span<int> counts = stackalloc int[256];
        counts.Clear();
        Span<byte> list = stackalloc byte[256];
        for (int i = 0; i < 256; i++)
        {
            list[i] = (byte)i;
        }

        int length = 0, group = -1, left = 0, run = 0, runWeight = 1;
        while (true)
        {
            if (left == 0)
            {
                if (++group >= selectorCount)
                {
                    throw new InvalidDataException($"bzip2 block runs past its {selectorCount} selectors");
                }

                left = GroupSize;
            }

            left--;
            int symbol = DecodeSymbol(selectors[group], minLength[selectors[group]], limit, baseOf, perm, alphaSize);
            if (symbol <= 1)
            {
                // RUNA adds 1 x weight, RUNB 2 x weight: bijective base 2.
                run += (symbol + 1) * runWeight;
                runWeight <<= 1;
                if (run > _blockMax - length || runWeight > _blockMax)
                {
                    throw new InvalidDataException($"bzip2 zero run passes the block size of {_blockMax}");
                }

                continue;
            }

            if (run > 0)
            {
                byte b = seqToUnseq[list[0]];
                lastColumn.AsSpan(length, run).Fill(b);
                counts[b] += run;
                length += run;
                run = 0;
                runWeight = 1;
            }

            if (symbol == endOfBlock)
            {
                break;
            }

            if (length >= _blockMax)
            {
                throw new InvalidDataException($"bzip2 block passes its size of {_blockMax} bytes");
            }

            int j = symbol - 1;
            byte seq = list[j];
            list[..j].CopyTo(list[1..]);
            list[0] = seq;
            byte value = seqToUnseq[seq];
            lastColumn[length++] = value;
            counts[value]++;
        }

        if (origin >= length)
        {
            throw new InvalidDataException($"bzip2 origin pointer {origin} is not inside the block's {length} bytes");
        }

        // Inverse Burrows-Wheeler: tt[i] holds the byte in its low 8 bits and the next position above them.
        Span<int> starts = stackalloc int[256];
        for (int c = 0, sum = 0; c < 256; c++)
        {
            starts[c] = sum;
            sum += counts[c];
        }

        for (int i = 0; i < length; i++)
        {
            _tt[i] = lastColumn[i];
        }

        for (int i = 0; i < length; i++)
        {
            _tt[starts[lastColumn[i]]++] |= i << 8;
        }

        _blockLength = length;
        _emitted = 0;
        _position = _tt[origin] >> 8;
        _blockCrc = 0xFFFFFFFF;
        _last = -1;
        _equal = 0;
        _repeat = 0;
    }

    /// <summary>The canonical decoding table of one group; returns its shortest code length.</summary>
    private static int BuildTable(int t, ReadOnlySpan<byte> lengths, int[,] limit, int[,] baseOf, int[,] perm)
    {
        int min = MaxCodeLength, max = 0;
        foreach (byte l in lengths)
        {
            min = Math.Min(min, l);
            max = Math.Max(max, l);
        }

        int p = 0;
        for (int l = min; l <= max; l++)
        {
            for (int v = 0; v < lengths.Length; v++)
            {
                if (lengths[v] == l)
                {
                    perm[t, p++] = v;
                }
            }
        }

        // limit[l]: the largest code of length l; base[l]: what to subtract from a code of length l to index perm.
        Span<int> countOf = stackalloc int[MaxCodeLength + 2];
        countOf.Clear();
        foreach (byte l in lengths)
        {
            countOf[l]++;
        }

        int code = 0, index = 0;
        for (int l = 1; l <= MaxCodeLength; l++)
        {
            baseOf[t, l] = index - code;
            code += countOf[l];
            index += countOf[l];
            limit[t, l] = code - 1;
            code <<= 1;
        }

        return min;
    }

    private int DecodeSymbol(int t, int min, int[,] limit, int[,] baseOf, int[,] perm, int alphaSize)
    {
        int length = min;
        int code = (int)Bits(length);
        while (code > limit[t, length])
        {
            if (++length > MaxCodeLength)
            {
                throw new InvalidDataException("bzip2 code longer than 20 bits");
            }

            code = (code << 1) | (int)Bits(1);
        }

        int index = code + baseOf[t, length];
        if (index < 0 || index >= alphaSize)
        {
            throw new InvalidDataException($"bzip2 code {code} of length {length} names no symbol");
        }

        return perm[t, index];
    }

    private uint Bits(int n)
    {
        while (_bitCount < n)
        {
            int b = input.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("bzip2 stream ends early (truncated)");
            }

            _bits = (_bits << 8) | (uint)b;
            _bitCount += 8;
        }

        _bitCount -= n;
        return (uint)(_bits >> _bitCount) & (uint)((1UL << n) - 1);
    }
}
