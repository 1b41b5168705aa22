using System.Buffers;

namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>
/// One bzip2 block (bzip2 1.0 format, as libbzip2's compress.c writes it): the rotations of the
/// run-length-coded bytes sorted (Burrows-Wheeler, here through <see cref="SuffixArray"/> of the
/// block written twice), move-to-front with zero runs as RUNA/RUNB, then 2 to 6 Huffman tables
/// chosen per 50 symbols and refined four times, and the bits: block magic, CRC, origin pointer,
/// the byte map, the selectors, the code lengths, the symbols.
/// </summary>
internal static class Bzip2Block
{
    /// <summary>Most run-length-coded bytes in a block of level 9 (libbzip2's <c>nblockMAX</c>: 900000 - 19).</summary>
    public const int MaxLength = 900_000 - 19;

    private const int GroupSize = 50;
    private const int RunA = 0, RunB = 1;
    private const int Iterations = 4;

    /// <summary>Compresses <paramref name="block"/> (1 to <see cref="MaxLength"/> run-length-coded bytes) whose input bytes have CRC <paramref name="crc"/>.</summary>
    public static Bzip2BitWriter Compress(ReadOnlySpan<byte> block, uint crc)
    {
        int n = block.Length;
        byte[] doubled = ArrayPool<byte>.Shared.Rent(2 * n);
        int[] sa = ArrayPool<int>.Shared.Rent(2 * n);
        ushort[] mtf = ArrayPool<ushort>.Shared.Rent(n + 1);
        try
        {
            // Rotation i of the block is the first n bytes of suffix i of block + block: sorting
            // those suffixes sorts the rotations (equal rotations give equal output bytes).
            block.CopyTo(doubled);
            block.CopyTo(doubled.AsSpan(n));
            Span<int> order = sa.AsSpan(0, 2 * n);
            SuffixArray.Build(doubled.AsSpan(0, 2 * n), order);

            Span<bool> inUse = stackalloc bool[256];
            foreach (byte b in block)
            {
                inUse[b] = true;
            }

            Span<byte> unseqToSeq = stackalloc byte[256];
            int nInUse = 0;
            for (int i = 0; i < 256; i++)
            {
                if (inUse[i])
                {
                    unseqToSeq[i] = (byte)nInUse++;
                }
            }

            // Move-to-front of the last column, zero runs in bijective base 2 (RUNA = 1, RUNB = 2).
            Span<byte> list = stackalloc byte[256];
            for (int i = 0; i < nInUse; i++)
            {
                list[i] = (byte)i;
            }

            int alphaSize = nInUse + 2, endOfBlock = nInUse + 1;
            Span<int> frequencies = stackalloc int[258];
            frequencies.Clear();
            int count = 0, zeros = 0, origin = -1;
            for (int i = 0, seen = 0; seen < n; i++)
            {
                int p = order[i];
                if (p >= n)
                {
                    continue;
                }

                if (p == 0)
                {
                    origin = seen;
                }

                seen++;
                byte symbol = unseqToSeq[block[p == 0 ? n - 1 : p - 1]];
                int j = list[..nInUse].IndexOf(symbol);
                if (j == 0)
                {
                    zeros++;
                    continue;
                }

                count = FlushZeros(mtf, count, ref zeros, frequencies);
                list[..j].CopyTo(list[1..]);
                list[0] = symbol;
                mtf[count++] = (ushort)(j + 1);
                frequencies[j + 1]++;
            }

            count = FlushZeros(mtf, count, ref zeros, frequencies);
            mtf[count++] = (ushort)endOfBlock;
            frequencies[endOfBlock]++;

            var bits = new Bzip2BitWriter(n / 2);
            bits.Write(24, 0x314159);
            bits.Write(24, 0x265359);
            bits.Write(32, crc);
            bits.Write(1, 0);
            bits.Write(24, (uint)origin);
            WriteMap(bits, inUse);
            WriteSymbols(bits, mtf.AsSpan(0, count), frequencies[..alphaSize], alphaSize);
            return bits;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(doubled);
            ArrayPool<int>.Shared.Return(sa);
            ArrayPool<ushort>.Shared.Return(mtf);
        }
    }

    private static int FlushZeros(ushort[] mtf, int count, ref int zeros, Span<int> frequencies)
    {
        if (zeros == 0)
        {
            return count;
        }

        int pending = zeros - 1;
        while (true)
        {
            int symbol = (pending & 1) != 0 ? RunB : RunA;
            mtf[count++] = (ushort)symbol;
            frequencies[symbol]++;
            if (pending < 2)
            {
                break;
            }

            pending = (pending - 2) / 2;
        }

        zeros = 0;
        return count;
    }

    private static void WriteMap(Bzip2BitWriter bits, ReadOnlySpan<bool> inUse)
    {
        uint ranges = 0;
        for (int r = 0; r < 16; r++)
        {
            if (inUse.Slice(r * 16, 16).Contains(true))
            {
                ranges |= 1u << (15 - r);
            }
        }

        bits.Write(16, ranges);
        for (int r = 0; r < 16; r++)
        {
            if ((ranges & (1u << (15 - r))) == 0)
            {
                continue;
            }

            uint used = 0;
            for (int b = 0; b < 16; b++)
            {
                if (inUse[(r * 16) + b])
                {
                    used |= 1u << (15 - b);
                }
            }

            bits.Write(16, used);
        }
    }

    /// <summary>libbzip2's table choice (compress.c <c>sendMTFValues</c>): an initial split of the symbols by frequency, then four rounds of picking the cheapest table per group and rebuilding the tables from what they coded.</summary>
    private static void WriteSymbols(Bzip2BitWriter bits, ReadOnlySpan<ushort> mtf, ReadOnlySpan<int> frequencies, int alphaSize)
    {
        int nMtf = mtf.Length;
        int groups = nMtf < 200 ? 2 : nMtf < 600 ? 3 : nMtf < 1200 ? 4 : nMtf < 2400 ? 5 : 6;
        byte[][] lengths = [.. Enumerable.Range(0, groups).Select(_ => new byte[alphaSize])];

        // The initial tables: each covers a run of symbols with about 1/groups of the frequency.
        int parts = groups, remaining = nMtf, gs = 0;
        while (parts > 0)
        {
            int target = remaining / parts, ge = gs - 1, sum = 0;
            while (sum < target && ge < alphaSize - 1)
            {
                sum += frequencies[++ge];
            }

            if (ge > gs && parts != groups && parts != 1 && ((groups - parts) % 2 == 1))
            {
                sum -= frequencies[ge--];
            }

            for (int v = 0; v < alphaSize; v++)
            {
                lengths[parts - 1][v] = (byte)(v >= gs && v <= ge ? 0 : 15);
            }

            parts--;
            gs = ge + 1;
            remaining -= sum;
        }

        int selectorCount = (nMtf + GroupSize - 1) / GroupSize;
        byte[] selectors = new byte[selectorCount];
        int[][] counts = [.. Enumerable.Range(0, groups).Select(_ => new int[alphaSize])];
        Span<int> cost = stackalloc int[6];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            foreach (int[] c in counts)
            {
                Array.Clear(c);
            }

            for (int g = 0; g < selectorCount; g++)
            {
                ReadOnlySpan<ushort> group = mtf.Slice(g * GroupSize, Math.Min(GroupSize, nMtf - (g * GroupSize)));
                cost.Clear();
                foreach (ushort symbol in group)
                {
                    for (int t = 0; t < groups; t++)
                    {
                        cost[t] += lengths[t][symbol];
                    }
                }

                int best = 0;
                for (int t = 1; t < groups; t++)
                {
                    if (cost[t] < cost[best])
                    {
                        best = t;
                    }
                }

                selectors[g] = (byte)best;
                foreach (ushort symbol in group)
                {
                    counts[best][symbol]++;
                }
            }

            for (int t = 0; t < groups; t++)
            {
                Bzip2Huffman.MakeLengths(lengths[t], counts[t], alphaSize);
            }
        }

        bits.Write(3, (uint)groups);
        bits.Write(15, (uint)selectorCount);
        Span<byte> positions = stackalloc byte[6];
        for (int t = 0; t < groups; t++)
        {
            positions[t] = (byte)t;
        }

        foreach (byte selector in selectors)
        {
            int j = positions[..groups].IndexOf(selector);
            positions[..j].CopyTo(positions[1..]);
            positions[0] = selector;
            for (int k = 0; k < j; k++)
            {
                bits.Write(1, 1);
            }

            bits.Write(1, 0);
        }

        uint[][] codes = [.. Enumerable.Range(0, groups).Select(_ => new uint[alphaSize])];
        for (int t = 0; t < groups; t++)
        {
            byte[] len = lengths[t];
            int current = len[0];
            bits.Write(5, (uint)current);
            for (int v = 0; v < alphaSize; v++)
            {
                for (; current < len[v]; current++)
                {
                    bits.Write(2, 2);
                }

                for (; current > len[v]; current--)
                {
                    bits.Write(2, 3);
                }

                bits.Write(1, 0);
            }

            Bzip2Huffman.AssignCodes(codes[t], len, alphaSize);
        }

        for (int i = 0; i < nMtf; i++)
        {
            int t = selectors[i / GroupSize];
            ushort symbol = mtf[i];
            bits.Write(lengths[t][symbol], codes[t][symbol]);
        }
    }
}
