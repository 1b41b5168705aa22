using System.Buffers;
using RecoverySim.GoldenImage.Delta.Bzip2;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Makes BSDIFF40 patches (docs/FORMAT.md "BSDIFF40 patches"), the format of Colin Percival's
/// bsdiff 4.3 and Debian's <c>bsdiff</c>/<c>bspatch</c>. The match search and its extension
/// heuristic are bsdiff's (bsdiff.c <c>main</c>, <c>search</c>): at each position of the new file,
/// the longest match in the old file is found by binary search over the old file's suffix array
/// and taken when it beats, by more than 8 bytes, what the current alignment already matches; each
/// match is then extended forwards and backwards as long as more than half the bytes agree, and
/// the bytes between two extended matches go to the extra block. Unlike bsdiff, the suffix array is
/// built in linear time (<see cref="SuffixArray"/>, SA-IS rather than qsufsort's O(n log n) with two
/// 8-byte arrays per old byte), the binary search keeps its first steps' suffixes in a small
/// cache-resident tree (<see cref="SuffixSearch"/>, same steps and answers), the new file may be
/// scanned in parallel parts, and the diff and
/// extra blocks are generated from the matches straight into their compressors instead of into two
/// buffers the size of the new file.
/// </summary>
public static class BsDiff
{
    /// <summary>Largest old or new file: 1 GiB (the suffix array holds 32-bit indices, and both files sit in memory).</summary>
    public const int MaxInputLength = 1 << 30;

    /// <summary>A match is taken when it beats the current alignment by more than this many bytes (bsdiff's constant).</summary>
    private const int MatchAdvantage = 8;

    private const int ChunkSize = 1 << 20;

    /// <summary>Writes a BSDIFF40 patch from <paramref name="old"/> to <paramref name="new"/> into <paramref name="patch"/>.</summary>
    /// <returns>The patch's length in bytes.</returns>
    /// <exception cref="ArgumentException">A file over <see cref="MaxInputLength"/>, or bad options.</exception>
    public static long Create(ReadOnlyMemory<byte> old, ReadOnlyMemory<byte> @new, Stream patch, BsDiffOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        options ??= new BsDiffOptions();
        if (old.Length > MaxInputLength || @new.Length > MaxInputLength)
        {
            throw new ArgumentException($"bsdiff: old file is {old.Length} bytes and new file {@new.Length}; each may be at most {MaxInputLength}", nameof(old));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinPartLength, 1, nameof(options));

        int[] sa = SuffixArray.Build(old.Span);
        cancel.ThrowIfCancellationRequested();
        List<Match> matches = Scan(new SuffixSearch(sa, old), old, @new, options, cancel);
        sa = [];

        // The three blocks, compressed at once (the diff block is the one that takes time).
        int threads = options.MaxParallelism;
        var control = Task.Run(() => Compress(stream => WriteControl(stream, matches), 1), cancel);
        var diff = Task.Run(() => Compress(stream => WriteDiff(stream, old.Span, @new.Span, matches), threads), cancel);
        var extra = Task.Run(() => Compress(stream => WriteExtra(stream, @new.Span, matches), threads), cancel);
        Task.WaitAll([control, diff, extra], cancel);

        Span<byte> header = stackalloc byte[BsDiffHeader.Size];
        new BsDiffHeader(control.Result.Length, diff.Result.Length, @new.Length).WriteTo(header);
        patch.Write(header);
        patch.Write(control.Result);
        patch.Write(diff.Result);
        patch.Write(extra.Result);
        return BsDiffHeader.Size + (long)control.Result.Length + diff.Result.Length + extra.Result.Length;
    }

    /// <summary>Convenience for spans: copies them once (the parallel parts need heap memory).</summary>
    public static byte[] Create(ReadOnlySpan<byte> old, ReadOnlySpan<byte> @new, BsDiffOptions? options = null)
    {
        using var patch = new MemoryStream();
        Create(old.ToArray(), @new.ToArray(), patch, options);
        return patch.ToArray();
    }

    /// <summary>The matches of the whole new file, in order, each part scanned by bsdiff's loop.</summary>
    private static List<Match> Scan(SuffixSearch search, ReadOnlyMemory<byte> old, ReadOnlyMemory<byte> @new, BsDiffOptions options, CancellationToken cancel)
    {
        int n = @new.Length;
        int parts = (int)Math.Clamp(n / (long)options.MinPartLength, 1, options.MaxParallelism);
        var results = new List<Match>[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts, CancellationToken = cancel }, part =>
        {
            int begin = (int)((long)n * part / parts), end = (int)((long)n * (part + 1) / parts);
            results[part] = ScanPart(search, old.Span, @new.Span, begin, end);
        });
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>bsdiff's scan over new[begin, end): the matches, each with its extended diff part and the extra bytes after it.</summary>
    private static List<Match> ScanPart(SuffixSearch search, ReadOnlySpan<byte> old, ReadOnlySpan<byte> nw, int begin, int end)
    {
        var matches = new List<Match>();
        int oldSize = old.Length;
        if (oldSize == 0)
        {
            // Nothing to match: all extra (and no triple at all for an empty part, as bsdiff).
            if (end > begin)
            {
                matches.Add(new Match(0, begin, 0, end - begin));
            }

            return matches;
        }

        int scan = begin, length = 0, position = 0;
        int lastScan = begin, lastPosition = Math.Min(begin, oldSize), lastOffset = lastPosition - lastScan;
        while (scan < end)
        {
            int oldScore = 0;
            int scsc;
            for (scsc = scan += length; scan < end; scan++)
            {
                length = search.Longest(nw[scan..end], out position);
                for (; scsc < scan + length; scsc++)
                {
                    if ((uint)(scsc + lastOffset) < (uint)oldSize && old[scsc + lastOffset] == nw[scsc])
                    {
                        oldScore++;
                    }
                }

                if ((length == oldScore && length != 0) || length > oldScore + MatchAdvantage)
                {
                    break;
                }

                if ((uint)(scan + lastOffset) < (uint)oldSize && old[scan + lastOffset] == nw[scan])
                {
                    oldScore--;
                }
            }

            if (length == oldScore && scan != end)
            {
                continue;
            }

            // Forward extension of the previous match: the longest prefix where more than half agree.
            long s = 0, best = 0;
            int forward = 0;
            for (int i = 0; lastScan + i < scan && lastPosition + i < oldSize;)
            {
                if (old[lastPosition + i] == nw[lastScan + i])
                {
                    s++;
                }

                i++;
                if ((s * 2) - i > (best * 2) - forward)
                {
                    best = s;
                    forward = i;
                }
            }

            // Backward extension of the new match.
            int backward = 0;
            if (scan < end)
            {
                s = 0;
                best = 0;
                for (int i = 1; scan >= lastScan + i && position >= i; i++)
                {
                    if (old[position - i] == nw[scan - i])
                    {
                        s++;
                    }

                    if ((s * 2) - i > (best * 2) - backward)
                    {
                        best = s;
                        backward = i;
                    }
                }
            }

            // Where the two extensions overlap, split at the point that keeps the most agreeing bytes.
            if (lastScan + forward > scan - backward)
            {
                int overlap = lastScan + forward - (scan - backward);
                s = 0;
                best = 0;
                int split = 0;
                for (int i = 0; i < overlap; i++)
                {
                    if (nw[lastScan + forward - overlap + i] == old[lastPosition + forward - overlap + i])
                    {
                        s++;
                    }

                    if (nw[scan - backward + i] == old[position - backward + i])
                    {
                        s--;
                    }

                    if (s > best)
                    {
                        best = s;
                        split = i + 1;
                    }
                }

                forward += split - overlap;
                backward -= split;
            }

            matches.Add(new Match(lastPosition, lastScan, forward, scan - backward - (lastScan + forward)));
            lastScan = scan - backward;
            lastPosition = position - backward;
            lastOffset = position - scan;
        }

        return matches;
    }

    private static byte[] Compress(Action<Stream> write, int threads)
    {
        var output = new MemoryStream();
        using (var bzip2 = new Bzip2OutputStream(output, threads))
        {
            write(bzip2);
        }

        return output.ToArray();
    }

    private static void WriteControl(Stream output, List<Match> matches)
    {
        byte[] buffer = new byte[BsDiffControl.Size];
        for (int i = 0; i < matches.Count; i++)
        {
            Match m = matches[i];
            long next = i + 1 < matches.Count ? matches[i + 1].OldStart : m.OldStart + m.DiffLength;
            new BsDiffControl(m.DiffLength, m.ExtraLength, next - (m.OldStart + m.DiffLength)).WriteTo(buffer);
            output.Write(buffer);
        }
    }

    private static void WriteDiff(Stream output, ReadOnlySpan<byte> old, ReadOnlySpan<byte> nw, List<Match> matches)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            foreach (Match m in matches)
            {
                for (int done = 0; done < m.DiffLength;)
                {
                    int n = Math.Min(ChunkSize, m.DiffLength - done);
                    Span<byte> d = buffer.AsSpan(0, n);
                    ByteArithmetic.Subtract(nw.Slice(m.NewStart + done, n), old.Slice(m.OldStart + done, n), d);
                    output.Write(d);
                    done += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteExtra(Stream output, ReadOnlySpan<byte> nw, List<Match> matches)
    {
        foreach (Match m in matches)
        {
            output.Write(nw.Slice(m.NewStart + m.DiffLength, m.ExtraLength));
        }
    }

    /// <summary>One control entry before encoding: diff bytes new[NewStart..] - old[OldStart..], then extra bytes.</summary>
    private readonly record struct Match(int OldStart, int NewStart, int DiffLength, int ExtraLength);
}
