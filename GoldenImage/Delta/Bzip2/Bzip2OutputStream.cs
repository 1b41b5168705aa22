namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>
/// A bzip2 compressor (bzip2 1.0 stream format, block size 9: what libbzip2 and bsdiff write,
/// what bspatch reads) as a write-only stream. Input is run-length coded
/// (runs of 4 to 255 equal bytes become 4 bytes and a count) into blocks of at most
/// <see cref="Bzip2Block.MaxLength"/> bytes; full blocks are compressed on up to
/// <c>maxParallelism</c> threads at once and their bits joined in order, with the stream's
/// combined CRC. Everything is written to the output on <see cref="Stream.Dispose()"/>.
/// </summary>
internal sealed class Bzip2OutputStream : ForwardOnlyWriteStream
{
    private readonly Stream _output;
    private readonly int _maxParallelism;
    private readonly Queue<Task<(Bzip2BitWriter Bits, uint Crc)>> _pending = new();
    private readonly Bzip2BitWriter _stream = new();
    private byte[] _block = new byte[Bzip2Block.MaxLength];
    private int _blockLength;
    private uint _blockCrc = 0xFFFFFFFF;
    private uint _combinedCrc;
    private int _runByte = -1;
    private int _runLength;
    private bool _finished;

    public Bzip2OutputStream(Stream output, int maxParallelism)
    {
        _output = output;
        _maxParallelism = Math.Max(1, maxParallelism);
        _stream.Write(24, 0x425A68); // "BZh"
        _stream.Write(8, '9');
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int i = 0;
        while (i < buffer.Length)
        {
            byte b = buffer[i];
            if (b == _runByte && _runLength < 255)
            {
                // The rest of an equal run in one step.
                int same = buffer[i..].IndexOfAnyExcept(b);
                int take = Math.Min(same < 0 ? buffer.Length - i : same, 255 - _runLength);
                _runLength += take;
                i += take;
                continue;
            }

            FlushRun();
            _runByte = b;
            _runLength = 1;
            i++;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            _finished = true;
            FlushRun();
            EndBlock();
            while (_pending.Count > 0)
            {
                Join();
            }

            _stream.Write(24, 0x177245);
            _stream.Write(24, 0x385090);
            _stream.Write(32, _combinedCrc);
            _stream.FlushTo(_output);
        }

        base.Dispose(disposing);
    }

    /// <summary>Appends the pending run to the block, as bytes (under 4) or 4 bytes and a count.</summary>
    private void FlushRun()
    {
        if (_runLength == 0)
        {
            return;
        }

        int unit = _runLength < 4 ? _runLength : 5;
        if (_blockLength + unit > Bzip2Block.MaxLength)
        {
            EndBlock();
        }

        byte b = (byte)_runByte;
        _blockCrc = Bzip2Crc.Update(_blockCrc, b, _runLength);
        _block.AsSpan(_blockLength, Math.Min(_runLength, 4)).Fill(b);
        _blockLength += Math.Min(_runLength, 4);
        if (_runLength >= 4)
        {
            _block[_blockLength++] = (byte)(_runLength - 4);
        }

        _runLength = 0;
    }

    private void EndBlock()
    {
        if (_blockLength == 0)
        {
            return;
        }

        byte[] block = _block;
        int length = _blockLength;
        uint crc = ~_blockCrc;
        _pending.Enqueue(Task.Run(() => (Bzip2Block.Compress(block.AsSpan(0, length), crc), crc)));
        _block = new byte[Bzip2Block.MaxLength];
        _blockLength = 0;
        _blockCrc = 0xFFFFFFFF;
        while (_pending.Count > _maxParallelism)
        {
            Join();
        }
    }

    private void Join()
    {
        (Bzip2BitWriter bits, uint crc) = _pending.Dequeue().GetAwaiter().GetResult();
        _combinedCrc = ((_combinedCrc << 1) | (_combinedCrc >> 31)) ^ crc;
        _stream.Append(bits);
    }
}
