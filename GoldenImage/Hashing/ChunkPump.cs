using System.Buffers;

namespace RecoverySim.GoldenImage.Hashing;

/// <summary>
/// Moves bytes from a stream through hashers (and optionally into a sink) in large chunks,
/// reading chunk n+1 while chunk n is hashed and written: a two-buffer producer/consumer
/// pipeline, so reading, hashing and writing overlap on separate cores and each hash runs at the
/// speed of the runtime's SHA-256 (OpenSSL underneath, with the CPU's SHA extensions).
/// Memory is two chunks, whatever the length.
/// </summary>
internal static class ChunkPump
{
    /// <summary>Bytes per chunk: large enough that per-chunk overhead vanishes next to hashing.</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>
    /// Pumps up to <paramref name="length"/> bytes from <paramref name="source"/> (stops early at
    /// end of stream) and returns how many bytes it read. Each chunk goes to every consumer (in
    /// parallel with each other and with the next read) and then to <paramref name="sink"/>.
    /// </summary>
    /// <param name="source">Where the bytes come from.</param>
    /// <param name="length">How many bytes to move at most.</param>
    /// <param name="consumers">Called in order of the data; each consumer's calls never overlap.</param>
    /// <param name="sink">Where the bytes go, or null.</param>
    /// <param name="progress">Told the running total after each chunk, or null.</param>
    /// <param name="useAsync">False to use the synchronous Read/Write of the streams (callers on a sync API).</param>
    /// <param name="cancel">Cancels between chunks.</param>
    public static async ValueTask<long> PumpAsync(Stream source, long length, IReadOnlyList<Action<ReadOnlyMemory<byte>>> consumers,
        Stream? sink, IProgress<long>? progress, bool useAsync, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(ChunkSize), ArrayPool<byte>.Shared.Rent(ChunkSize)];
        try
        {
            long total = 0;
            int current = 0;
            int n = await ReadChunkAsync(source, buffers[current], (int)Math.Min(ChunkSize, length), useAsync, cancel).ConfigureAwait(false);
            while (n > 0)
            {
                ReadOnlyMemory<byte> data = buffers[current].AsMemory(0, n);
                Task work = ConsumeAsync(data, consumers, sink, useAsync, cancel);
                total += n;
                current ^= 1;
                int next = 0;
                try
                {
                    long left = length - total;
                    if (left > 0)
                    {
                        // Overlaps with the work on the other buffer.
                        next = await ReadChunkAsync(source, buffers[current], (int)Math.Min(ChunkSize, left), useAsync, cancel).ConfigureAwait(false);
                    }
                }
                finally
                {
                    // Never leave work running on a buffer that is about to go back to the pool.
                    await work.ConfigureAwait(false);
                }

                progress?.Report(total);
                n = next;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    /// <summary>Synchronous form of <see cref="PumpAsync"/>.</summary>
    public static long Pump(Stream source, long length, IReadOnlyList<Action<ReadOnlyMemory<byte>>> consumers, Stream? sink, IProgress<long>? progress) =>
        PumpAsync(source, length, consumers, sink, progress, useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static Task ConsumeAsync(ReadOnlyMemory<byte> data, IReadOnlyList<Action<ReadOnlyMemory<byte>>> consumers, Stream? sink, bool useAsync, CancellationToken cancel)
    {
        int count = consumers.Count + (sink is null ? 0 : 1);
        if (count == 0)
        {
            return Task.CompletedTask;
        }

        var tasks = new Task[count];
        for (int i = 0; i < consumers.Count; i++)
        {
            Action<ReadOnlyMemory<byte>> consumer = consumers[i];
            tasks[i] = Task.Run(() => consumer(data), cancel);
        }

        if (sink is not null)
        {
            // On its own task too: a sink may be a compressor that does its work inside Write.
            tasks[^1] = useAsync
                ? Task.Run(() => sink.WriteAsync(data, cancel).AsTask(), cancel)
                : Task.Run(() => sink.Write(data.Span), cancel);
        }

        return tasks.Length == 1 ? tasks[0] : Task.WhenAll(tasks);
    }

    /// <summary>Reads until <paramref name="count"/> bytes or the end of the stream; returns the bytes read.</summary>
    internal static async ValueTask<int> ReadChunkAsync(Stream source, byte[] buffer, int count, bool useAsync, CancellationToken cancel)
    {
        int total = 0;
        while (total < count)
        {
            cancel.ThrowIfCancellationRequested();
            int n = useAsync
                ? await source.ReadAsync(buffer.AsMemory(total, count - total), cancel).ConfigureAwait(false)
                : source.Read(buffer, total, count - total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
