using System.Collections.Concurrent;
using RecoverySim.GoldenImage.Delta.Bzip2;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// One bzip2 block of a BSDIFF40 patch as <see cref="BsPatch"/> reads it: its window of the
/// patch and a <see cref="Bzip2InputStream"/> over it, opened on the first read. With read-ahead, a task
/// decodes up to <see cref="AheadChunks"/> chunks ahead of the reader (never more: a block that
/// expands without end is not decoded past what the reader takes), so decoding overlaps with
/// applying. Decoder failures are <see cref="ImageFormatException"/>s naming the block.
/// </summary>
internal sealed class PatchBlock : IDisposable
{
    private const int AheadChunks = 4;
    private const int ChunkSize = 1 << 20;

    private readonly StreamWindow _window;
    private readonly string _member;
    private readonly string _name;
    private readonly BlockingCollection<(byte[] Bytes, int Length)>? _ahead;
    private readonly CancellationTokenSource? _stop;
    private readonly Task? _producer;
    private Bzip2InputStream? _decoder;
    private bool _empty;
    private byte[]? _chunk;
    private int _chunkLength;
    private int _chunkAt;

    public PatchBlock(StreamWindow window, string member, string name, bool readAhead)
    {
        _window = window;
        _member = member;
        _name = name;
        if (readAhead)
        {
            _ahead = new BlockingCollection<(byte[], int)>(AheadChunks);
            _stop = new CancellationTokenSource();
            _producer = Task.Run(Produce);
        }
    }

    /// <summary>Decoded bytes handed out so far.</summary>
    public long Decoded { get; private set; }

    /// <summary>Reads until <paramref name="buffer"/> is full or the block ends; returns the bytes read.</summary>
    public int Read(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _ahead is null ? Decode(buffer[total..]) : Take(buffer[total..]);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        Decoded += total;
        return total;
    }

    /// <summary>The block holds no decoded byte more, and its bzip2 stream ends exactly at the end of its window.</summary>
    public void RequireEnd()
    {
        Span<byte> probe = stackalloc byte[1];
        if (Read(probe) != 0)
        {
            throw new ImageFormatException($"{_member}: the {_name} block holds more than the {Decoded - 1} bytes the control triples use", _member, _name);
        }

        // The producer has finished (it reported the end), so the window is this thread's now.
        if (_window.Remaining != 0)
        {
            throw new ImageFormatException($"{_member}: {_window.Remaining} bytes follow the end of the {_name} block's bzip2 stream", _member, _name);
        }
    }

    public void Dispose()
    {
        if (_producer is not null)
        {
            _stop!.Cancel();
            _producer.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
            _stop.Dispose();
            _ahead!.Dispose();
        }

        _decoder?.Dispose();
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                byte[] chunk = new byte[ChunkSize];
                int filled = 0;
                while (filled < chunk.Length)
                {
                    int n = Decode(chunk.AsSpan(filled));
                    if (n <= 0)
                    {
                        break;
                    }

                    filled += n;
                }

                if (filled > 0)
                {
                    _ahead!.Add((chunk, filled), _stop!.Token);
                }

                if (filled < chunk.Length)
                {
                    return;
                }
            }
        }
        finally
        {
            _ahead!.CompleteAdding();
        }
    }

    private int Take(Span<byte> buffer)
    {
        if (_chunk is null || _chunkAt == _chunkLength)
        {
            if (!_ahead!.TryTake(out (byte[] Bytes, int Length) next, Timeout.Infinite))
            {
                // The producer ended: at the end of the block, or on bad data (rethrown here).
                try
                {
                    _producer!.Wait();
                }
                catch (AggregateException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }

                return 0;
            }

            (_chunk, _chunkLength, _chunkAt) = (next.Bytes, next.Length, 0);
        }

        int take = Math.Min(buffer.Length, _chunkLength - _chunkAt);
        _chunk.AsSpan(_chunkAt, take).CopyTo(buffer);
        _chunkAt += take;
        return take;
    }

    private int Decode(Span<byte> buffer)
    {
        if (_empty)
        {
            return 0;
        }

        try
        {
            if (_decoder is null)
            {
                if (_window.Length == 0)
                {
                    // bspatch refuses an empty block too (BZ2_bzRead finds no stream header).
                    throw new ImageFormatException($"{_member}: the {_name} block is empty, not a bzip2 stream", _member, _name);
                }

                _decoder = new Bzip2InputStream(_window);
            }

            int n = _decoder.Read(buffer);
            _empty = n <= 0;
            return n;
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"{_member}: bad bzip2 data in the {_name} block at compressed offset {_window.Position}: {e.Message}", _member, _name, e);
        }
    }
}
