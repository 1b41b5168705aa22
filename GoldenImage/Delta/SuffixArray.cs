using System.Buffers;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Suffix arrays in linear time by induced sorting (SA-IS: Nong, Zhang and Chan, "Two Efficient
/// Algorithms for Linear Time Suffix Array Construction", IEEE Trans. Computers 60(10), 2011; the
/// in-place layout of Yuta Mori's sais, also the basis of libsais). The suffix array of a text of
/// n bytes lists the n start positions of its suffixes in lexicographic order (a proper prefix
/// sorts first; the empty suffix is not listed). Memory: the n 32-bit entries of the result, one
/// bit per position for the suffix types and two bucket arrays of the alphabet's size per level
/// (below the top level, in the result's free entries when they fit).
/// The sorted LMS substrings are renamed in the free upper half of the result, and the recursion
/// runs on that reduced string, which is at most n/2 long; so the depth is at most log2 n and the
/// total work and memory stay linear.
/// </summary>
public static class SuffixArray
{
    /// <summary>Longest text accepted: 2^31 - 2 bytes (indices are 32-bit).</summary>
    public const int MaxLength = int.MaxValue - 1;

    /// <summary>The suffix array of <paramref name="text"/>.</summary>
    public static int[] Build(ReadOnlySpan<byte> text)
    {
        int[] sa = new int[text.Length];
        Build(text, sa);
        return sa;
    }

    /// <summary>Writes the suffix array of <paramref name="text"/> into <paramref name="sa"/> (exactly as long as the text).</summary>
    /// <exception cref="ArgumentException"><paramref name="sa"/> is not as long as <paramref name="text"/>.</exception>
    public static void Build(ReadOnlySpan<byte> text, Span<int> sa)
    {
        if (sa.Length != text.Length)
        {
            throw new ArgumentException($"the suffix array needs {text.Length} entries, got {sa.Length}", nameof(sa));
        }

        Sort(new ByteText(text), sa, 256, []);
    }

    /// <summary>
    /// One level of SA-IS over <paramref name="t"/>, whose symbols are below <paramref name="k"/>.
    /// The bucket arrays go in <paramref name="workspace"/> (free entries of the caller's suffix
    /// array) when they fit, else in rented arrays.
    /// </summary>
    private static void Sort<TText>(TText t, Span<int> sa, int k, Span<int> workspace)
        where TText : ISymbols, allows ref struct
    {
        int n = t.Length;
        if (n <= 1)
        {
            if (n == 1)
            {
                sa[0] = 0;
            }

            return;
        }

        // Suffix types: S (bit set) when the suffix is smaller than the next one. The last suffix
        // is L: it is greater than the empty suffix that follows it (the virtual sentinel).
        ulong[] types = ArrayPool<ulong>.Shared.Rent((n + 63) >> 6);
        int[]? counts = workspace.Length >= k ? null : ArrayPool<int>.Shared.Rent(k);
        int[]? buckets = workspace.Length >= 2 * k ? null : ArrayPool<int>.Shared.Rent(k);
        try
        {
            var s = new TypeBits(types, n);
            s.Clear();
            for (int i = n - 2; i >= 0; i--)
            {
                int a = t[i], b = t[i + 1];
                if (a < b || (a == b && s[i + 1]))
                {
                    s.SetS(i);
                }
            }

            Span<int> c = counts is null ? workspace[..k] : counts.AsSpan(0, k);
            Span<int> bkt = buckets is null ? workspace.Slice(k, k) : buckets.AsSpan(0, k);
            c.Clear();
            for (int i = 0; i < n; i++)
            {
                c[t[i]]++;
            }

            // Stage 1: sort the LMS substrings by induction from the LMS positions in their bucket ends.
            BucketEnds(c, bkt);
            sa.Fill(-1);
            for (int i = 1; i < n; i++)
            {
                if (s.IsLms(i))
                {
                    sa[--bkt[t[i]]] = i;
                }
            }

            InduceL(t, sa, c, bkt);
            InduceS(t, sa, s, c, bkt);

            // Gather the sorted LMS positions into sa[0, m) and name them: equal LMS substrings get
            // equal names, in sorted order. Names go to sa[m + pos / 2] (LMS positions are at least
            // two apart and m <= n / 2, so these slots are distinct and free).
            int m = 0;
            for (int i = 0; i < n; i++)
            {
                if (s.IsLms(sa[i]))
                {
                    sa[m++] = sa[i];
                }
            }

            sa[m..].Fill(-1);
            int names = 0;
            int previous = -1;
            for (int i = 0; i < m; i++)
            {
                int position = sa[i];
                if (previous < 0 || !SameLmsSubstring(t, s, previous, position))
                {
                    names++;
                    previous = position;
                }

                sa[m + (position >> 1)] = names - 1;
            }

            // Pack the names, in text order, into the top m entries: the reduced string.
            for (int i = n - 1, j = n - 1; i >= m; i--)
            {
                if (sa[i] >= 0)
                {
                    sa[j--] = sa[i];
                }
            }

            // Stage 2: the suffix array of the reduced string, in sa[0, m).
            Span<int> reduced = sa[(n - m)..];
            Span<int> reducedSa = sa[..m];
            if (names < m)
            {
                // The entries between the two halves are free while the reduced string is sorted.
                Sort(new IntText(reduced), reducedSa, names, sa[m..(n - m)]);
            }
            else
            {
                for (int i = 0; i < m; i++)
                {
                    reducedSa[reduced[i]] = i;
                }
            }

            // Stage 3: the LMS suffixes in their sorted order, placed at their bucket ends, induce the rest.
            for (int i = 1, j = 0; i < n; i++)
            {
                if (s.IsLms(i))
                {
                    reduced[j++] = i;
                }
            }

            for (int i = 0; i < m; i++)
            {
                reducedSa[i] = reduced[reducedSa[i]];
            }

            sa[m..].Fill(-1);
            BucketEnds(c, bkt);
            for (int i = m - 1; i >= 0; i--)
            {
                int position = sa[i];
                sa[i] = -1;
                sa[--bkt[t[position]]] = position;
            }

            InduceL(t, sa, c, bkt);
            InduceS(t, sa, s, c, bkt);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(types);
            if (counts is not null)
            {
                ArrayPool<int>.Shared.Return(counts);
            }

            if (buckets is not null)
            {
                ArrayPool<int>.Shared.Return(buckets);
            }
        }
    }

    /// <summary>Whether the LMS substrings at <paramref name="a"/> and <paramref name="b"/> are equal (symbols and types, up to the next LMS position).</summary>
    private static bool SameLmsSubstring<TText>(TText t, TypeBits s, int a, int b)
        where TText : ISymbols, allows ref struct
    {
        int n = t.Length;
        for (int d = 0; ; d++)
        {
            // The substring that reaches the end of the text includes the unique sentinel: never equal.
            if (a + d == n || b + d == n || t[a + d] != t[b + d] || s[a + d] != s[b + d])
            {
                return false;
            }

            if (d > 0 && (s.IsLms(a + d) || s.IsLms(b + d)))
            {
                return s.IsLms(a + d) && s.IsLms(b + d);
            }
        }
    }

    /// <summary>
    /// L-type suffixes, left to right from the bucket starts; the last suffix (after the
    /// sentinel) first. The scan knows the first symbol of the suffix at position i from the
    /// bucket i lies in, so the type of j = SA[i] - 1 needs no look-up: every S-type suffix in
    /// the array now is an LMS suffix, whose predecessor is L, and an L suffix's predecessor is L
    /// exactly when its symbol is not smaller. One random access per entry (t[j]), not three.
    /// </summary>
    private static void InduceL<TText>(TText t, Span<int> sa, Span<int> c, Span<int> bkt)
        where TText : ISymbols, allows ref struct
    {
        int n = t.Length;
        BucketStarts(c, bkt);
        sa[bkt[t[n - 1]]++] = n - 1;
        int symbol = 0, bucketEnd = c[0];
        for (int i = 0; i < n; i++)
        {
            while (i >= bucketEnd)
            {
                bucketEnd += c[++symbol];
            }

            int j = sa[i] - 1;
            if (j >= 0)
            {
                int a = t[j];
                if (a >= symbol)
                {
                    sa[bkt[a]++] = j;
                }
            }
        }
    }

    /// <summary>
    /// S-type suffixes, right to left from the bucket ends. As in <see cref="InduceL"/>, the
    /// bucket of position i gives the symbol of the suffix there: j = SA[i] - 1 is S when its
    /// symbol is smaller, or equal and the suffix at i is S (only then is the type bit read).
    /// </summary>
    private static void InduceS<TText>(TText t, Span<int> sa, TypeBits s, Span<int> c, Span<int> bkt)
        where TText : ISymbols, allows ref struct
    {
        BucketEnds(c, bkt);
        int n = t.Length;
        int symbol = c.Length - 1, bucketStart = n - c[symbol];
        for (int i = n - 1; i >= 0; i--)
        {
            while (i < bucketStart)
            {
                bucketStart -= c[--symbol];
            }

            int j = sa[i] - 1;
            if (j >= 0)
            {
                int a = t[j];
                if (a < symbol || (a == symbol && s[j + 1]))
                {
                    sa[--bkt[a]] = j;
                }
            }
        }
    }

    private static void BucketStarts(Span<int> counts, Span<int> buckets)
    {
        int sum = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            buckets[i] = sum;
            sum += counts[i];
        }
    }

    private static void BucketEnds(Span<int> counts, Span<int> buckets)
    {
        int sum = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            sum += counts[i];
            buckets[i] = sum;
        }
    }

    /// <summary>A text as SA-IS reads it: its length and its symbols as non-negative integers.</summary>
    private interface ISymbols
    {
        int Length { get; }

        int this[int index] { get; }
    }

    /// <summary>The top level: bytes.</summary>
    private readonly ref struct ByteText(ReadOnlySpan<byte> bytes) : ISymbols
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Length => _bytes.Length;

        public int this[int index] => _bytes[index];
    }

    /// <summary>A reduced string: names, stored in the upper part of the caller's suffix array.</summary>
    private readonly ref struct IntText(ReadOnlySpan<int> names) : ISymbols
    {
        private readonly ReadOnlySpan<int> _names = names;

        public int Length => _names.Length;

        public int this[int index] => _names[index];
    }

    /// <summary>One bit per position: set for an S-type suffix.</summary>
    private readonly struct TypeBits(ulong[] bits, int length)
    {
        public bool this[int i] => (bits[i >> 6] & (1UL << i)) != 0;

        public void SetS(int i) => bits[i >> 6] |= 1UL << i;

        public void Clear() => bits.AsSpan(0, (length + 63) >> 6).Clear();

        /// <summary>A leftmost S-type position: an S suffix right after an L suffix.</summary>
        public bool IsLms(int i) => i > 0 && this[i] && !this[i - 1];
    }
}
