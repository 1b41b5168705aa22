using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// <remarks>
/// Speed (docs/PERFORMANCE.md "Delta"): on large texts nearly every step reads the text or the
/// type bits at a random place and misses the caches, so the time is the number of misses that
/// wait one after another. The scans are written so that the misses overlap: the induce scans
/// read the symbols a batch of entries ahead (libsais prefetches the same reads), the LMS
/// gathering is branch-free, the types are computed without branches and the LMS positions are
/// found a 64-bit word at a time. The hot loops index through <see cref="Unsafe.Add{T}(ref T, int)"/>
/// after the indices are known to be in range, without per-access bounds checks. Each level is
/// specialised by the JIT for its text (bytes at the top, names below): the text type is a
/// struct, so the generic code is compiled per element type and the indexer inlines. On text
/// with short repeats only, most LMS substrings are unique and the reduced string is sorted
/// without a level of SA-IS (<see cref="TrySortShallow"/>): that level, over an alphabet as
/// large as the string, took as long as the top one.
/// </remarks>
public static class SuffixArray
{
    /// <summary>Longest text accepted: 2^31 - 2 bytes (indices are 32-bit).</summary>
    public const int MaxLength = int.MaxValue - 1;

    /// <summary>
    /// Entries whose symbols the induce scans read ahead of the bucket writes. Enough to keep the
    /// memory system's dozen or so outstanding misses busy; small enough to sit in L1 (2 KiB).
    /// </summary>
    private const int Batch = 256;

    /// <summary>Names compared per entry of a reduced string, in all, before <see cref="TrySortShallow"/> leaves it to SA-IS.</summary>
    private const int ShallowBudget = 8;

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

        Sort(new SymbolText<byte>(text), sa, 256, [], shallow: true);
    }

    /// <summary>
    /// As <see cref="Build(ReadOnlySpan{byte}, Span{int})"/>, but with SA-IS at every level when
    /// <paramref name="shallow"/> is false (no <see cref="TrySortShallow"/>). For tests: both give
    /// the same array.
    /// </summary>
    internal static void Build(ReadOnlySpan<byte> text, Span<int> sa, bool shallow)
    {
        if (sa.Length != text.Length)
        {
            throw new ArgumentException($"the suffix array needs {text.Length} entries, got {sa.Length}", nameof(sa));
        }

        Sort(new SymbolText<byte>(text), sa, 256, [], shallow);
    }

    /// <summary>
    /// The suffix array of a text of symbols below <paramref name="alphabet"/> (each 0 or more),
    /// by the same code as the levels below the top one. For tests: the byte level against the
    /// generic one.
    /// </summary>
    internal static void BuildFromSymbols(ReadOnlySpan<int> text, int alphabet, Span<int> sa)
    {
        if (sa.Length != text.Length)
        {
            throw new ArgumentException($"the suffix array needs {text.Length} entries, got {sa.Length}", nameof(sa));
        }

        foreach (int symbol in text)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(symbol, nameof(text));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(symbol, alphabet, nameof(text));
        }

        Sort(new SymbolText<int>(text), sa, alphabet, [], shallow: true);
    }

    /// <summary>
    /// One level of SA-IS over <paramref name="t"/>, whose symbols are below <paramref name="k"/>.
    /// The bucket arrays go in <paramref name="workspace"/> (free entries of the caller's suffix
    /// array) when they fit, else in rented arrays. With <paramref name="shallow"/>, a reduced
    /// string is first offered to <see cref="TrySortShallow"/>.
    /// </summary>
    private static void Sort<TText>(TText t, Span<int> sa, int k, Span<int> workspace, bool shallow)
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

        ulong[] types = ArrayPool<ulong>.Shared.Rent((n + 63) >> 6);
        int[]? counts = workspace.Length >= k ? null : ArrayPool<int>.Shared.Rent(k);
        int[]? buckets = workspace.Length >= 2 * k ? null : ArrayPool<int>.Shared.Rent(k);
        try
        {
            var s = new TypeBits(types.AsSpan(0, (n + 63) >> 6));
            ClassifyTypes(t, s);

            Span<int> c = counts is null ? workspace[..k] : counts.AsSpan(0, k);
            Span<int> bkt = buckets is null ? workspace.Slice(k, k) : buckets.AsSpan(0, k);
            c.Clear();
            ref int c0 = ref MemoryMarshal.GetReference(c);
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref c0, t[i])++;
            }

            // Stage 1: sort the LMS substrings by induction from the LMS positions in their bucket ends.
            BucketEnds(c, bkt);
            sa.Fill(-1);
            ref int sa0 = ref MemoryMarshal.GetReference(sa);
            ref int b0 = ref MemoryMarshal.GetReference(bkt);
            foreach (int i in s.LmsPositions())
            {
                Unsafe.Add(ref sa0, --Unsafe.Add(ref b0, t[i])) = i;
            }

            InduceL(t, sa, c, bkt);
            InduceS(t, sa, s, c, bkt, markLms: true);

            // Gather the sorted LMS positions, marked by InduceS, into sa[0, m), without a branch
            // (a third of the entries are LMS, at random): every entry is stored unmarked, and the
            // count moves on only for a marked one. Every entry is filled by now: no -1 is left.
            int m = 0;
            for (int i = 0; i < n; i++)
            {
                int entry = Unsafe.Add(ref sa0, i);
                Unsafe.Add(ref sa0, m) = entry & int.MaxValue;
                m += (int)((uint)entry >> 31);
            }

            // The length of each LMS substring (up to and including the next LMS position) goes to
            // sa[m + pos / 2] (LMS positions are at least two apart and m <= n / 2, so these slots
            // are distinct and free). The last one runs into the sentinel and is unique: length 0.
            sa[m..].Fill(-1);
            int last = -1;
            foreach (int i in s.LmsPositions())
            {
                if (last >= 0)
                {
                    Unsafe.Add(ref sa0, m + (last >> 1)) = i - last + 1;
                }

                last = i;
            }

            if (last >= 0)
            {
                Unsafe.Add(ref sa0, m + (last >> 1)) = 0;
            }

            // Name them: equal LMS substrings get equal names, in sorted order. Two LMS substrings
            // are equal when their lengths and symbols are (the types follow from the symbols
            // backwards from the LMS position both end at: Mori's sais compares the same way).
            // Each name overwrites its substring's length. The lengths and first symbols, at
            // random places, are read a batch ahead, as in the induce scans.
            int names = 0;
            int previous = 0, previousLength = 0, previousFirst = -1;
            Span<int> ahead = stackalloc int[2 * Batch];
            ref int l0 = ref MemoryMarshal.GetReference(ahead);
            ref int f0 = ref Unsafe.Add(ref l0, Batch);
            for (int low = 0; low < m; low += Batch)
            {
                int high = Math.Min(low + Batch, m);
                for (int i = low; i < high; i++)
                {
                    int position = Unsafe.Add(ref sa0, i);
                    Unsafe.Add(ref l0, i - low) = Unsafe.Add(ref sa0, m + (position >> 1));
                    Unsafe.Add(ref f0, i - low) = t[position];
                }

                for (int i = low; i < high; i++)
                {
                    int position = Unsafe.Add(ref sa0, i);
                    int length = Unsafe.Add(ref l0, i - low), first = Unsafe.Add(ref f0, i - low);
                    if (length == 0 || length != previousLength || first != previousFirst || !t.Equal(previous, position, length))
                    {
                        names++;
                        previous = position;
                        previousLength = length;
                        previousFirst = first;
                    }

                    Unsafe.Add(ref sa0, m + (position >> 1)) = names - 1;
                }
            }

            // Pack the names, in text order, into the top m entries: the reduced string.
            for (int i = n - 1, j = n - 1; i >= m; i--)
            {
                int name = Unsafe.Add(ref sa0, i);
                if (name >= 0)
                {
                    Unsafe.Add(ref sa0, j--) = name;
                }
            }

            // Stage 2: the suffix array of the reduced string, in sa[0, m).
            Span<int> reduced = sa[(n - m)..];
            Span<int> reducedSa = sa[..m];
            ref int r0 = ref MemoryMarshal.GetReference(reduced);
            if (names < m)
            {
                // The entries between the two halves are free while the reduced string is sorted.
                if (!shallow || !TrySortShallow(reduced, reducedSa, names, sa[m..(n - m)]))
                {
                    Sort(new SymbolText<int>(reduced), reducedSa, names, sa[m..(n - m)], shallow);
                }
            }
            else
            {
                for (int i = 0; i < m; i++)
                {
                    Unsafe.Add(ref sa0, Unsafe.Add(ref r0, i)) = i;
                }
            }

            // Stage 3: the LMS suffixes in their sorted order, placed at their bucket ends, induce the rest.
            int lms = 0;
            foreach (int i in s.LmsPositions())
            {
                Unsafe.Add(ref r0, lms++) = i;
            }

            for (int i = 0; i < m; i++)
            {
                ref int entry = ref Unsafe.Add(ref sa0, i);
                entry = Unsafe.Add(ref r0, entry);
            }

            sa[m..].Fill(-1);
            BucketEnds(c, bkt);
            PlaceLms(t, sa, m, bkt);
            InduceL(t, sa, c, bkt);
            InduceS(t, sa, s, c, bkt, markLms: false);
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

    /// <summary>
    /// The suffix array of a reduced string whose suffixes differ within a few names, without a
    /// level of SA-IS: a counting sort by the first name, then each group of equal first names
    /// sorted by comparing the names after it. On text with short repeats only (random,
    /// compressed or encrypted data, the bench's pair) most names are unique and groups are
    /// decided at the next name, so this is a few passes where SA-IS's level would be a dozen,
    /// each missing the caches as much (its alphabet is as large as the string). Gives up, for
    /// SA-IS to do it all, when fewer than half the names are distinct or the comparisons take
    /// more than <see cref="ShallowBudget"/> names per entry in all: the work done then is at
    /// most linear too.
    /// </summary>
    /// <returns>Whether <paramref name="sa"/> now holds the suffix array of <paramref name="text"/>.</returns>
    private static bool TrySortShallow(ReadOnlySpan<int> text, Span<int> sa, int names, Span<int> workspace)
    {
        int m = text.Length;
        if (names < m / 2)
        {
            return false;
        }

        int[]? rented = workspace.Length >= names ? null : ArrayPool<int>.Shared.Rent(names);
        try
        {
            Span<int> next = rented is null ? workspace[..names] : rented.AsSpan(0, names);
            next.Clear();
            ref int t0 = ref MemoryMarshal.GetReference(text);
            ref int n0 = ref MemoryMarshal.GetReference(next);
            ref int sa0 = ref MemoryMarshal.GetReference(sa);
            for (int i = 0; i < m; i++)
            {
                Unsafe.Add(ref n0, Unsafe.Add(ref t0, i))++;
            }

            for (int a = 0, sum = 0; a < names; a++)
            {
                int count = Unsafe.Add(ref n0, a);
                Unsafe.Add(ref n0, a) = sum;
                sum += count;
            }

            for (int i = 0; i < m; i++)
            {
                Unsafe.Add(ref sa0, Unsafe.Add(ref n0, Unsafe.Add(ref t0, i))++) = i;
            }

            // next[a] is now the end of group a. Insertion sort in each group (suffixes are
            // distinct, so no two compare equal; the end of the string sorts first).
            long budget = (long)ShallowBudget * m;
            for (int a = 0, begin = 0; a < names; a++)
            {
                int end = Unsafe.Add(ref n0, a);
                for (int i = begin + 1; i < end; i++)
                {
                    int p = Unsafe.Add(ref sa0, i);
                    int j = i - 1;
                    while (j >= begin)
                    {
                        int q = Unsafe.Add(ref sa0, j);

                        // Whether suffix q sorts after suffix p, both starting with name a.
                        bool after;
                        for (int d = 1; ; d++)
                        {
                            if (--budget < 0)
                            {
                                return false;
                            }

                            if (p + d == m || q + d == m)
                            {
                                after = p + d == m;
                                break;
                            }

                            int x = Unsafe.Add(ref t0, q + d), y = Unsafe.Add(ref t0, p + d);
                            if (x != y)
                            {
                                after = x > y;
                                break;
                            }
                        }

                        if (!after)
                        {
                            break;
                        }

                        Unsafe.Add(ref sa0, j + 1) = q;
                        j--;
                    }

                    Unsafe.Add(ref sa0, j + 1) = p;
                }

                begin = end;
            }

            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Suffix types, right to left: S (bit set) when the suffix is smaller than the next one, that
    /// is when its symbol is smaller, or equal and the next suffix is S. The last suffix is L: it is
    /// greater than the empty suffix that follows it (the virtual sentinel). Without branches
    /// (on random text a branch on the comparison is a coin toss), 64 bits to a store.
    /// </summary>
    private static void ClassifyTypes<TText>(TText t, TypeBits s)
        where TText : ISymbols, allows ref struct
    {
        int n = t.Length;
        s.Clear();
        int next = t[n - 1];
        uint nextS = 0;
        ulong word = 0;
        for (int i = n - 2; i >= 0; i--)
        {
            int a = t[i];

            // Symbols are non-negative ints, so a - next < 0 exactly when a < next, and
            // (a ^ next) - 1 < 0 exactly when they are equal.
            nextS = ((uint)(a - next) >> 31) | (((uint)((a ^ next) - 1) >> 31) & nextS);
            word |= (ulong)nextS << i;
            if ((i & 63) == 0)
            {
                s.SetWord(i >> 6, word);
                word = 0;
            }

            next = a;
        }
    }

    /// <summary>
    /// Stage 3's start: the sorted LMS suffixes in sa[0, m), moved right to left to the ends of
    /// their buckets. Each goes to an entry at or after its own (as many suffixes sort before it),
    /// so the entries a batch reads ahead are not yet moved.
    /// </summary>
    private static void PlaceLms<TText>(TText t, Span<int> sa, int m, Span<int> bkt)
        where TText : ISymbols, allows ref struct
    {
        ref int sa0 = ref MemoryMarshal.GetReference(sa);
        ref int b0 = ref MemoryMarshal.GetReference(bkt);
        Span<int> symbols = stackalloc int[Batch];
        ref int y0 = ref MemoryMarshal.GetReference(symbols);
        for (int top = m - 1; top >= 0; top -= Batch)
        {
            int low = Math.Max(top - Batch + 1, 0);
            for (int i = top; i >= low; i--)
            {
                Unsafe.Add(ref y0, i - low) = t[Unsafe.Add(ref sa0, i)];
            }

            for (int i = top; i >= low; i--)
            {
                ref int entry = ref Unsafe.Add(ref sa0, i);
                int position = entry;
                entry = -1;
                Unsafe.Add(ref sa0, --Unsafe.Add(ref b0, Unsafe.Add(ref y0, i - low))) = position;
            }
        }
    }

    /// <summary>
    /// L-type suffixes, left to right from the bucket starts; the last suffix (after the
    /// sentinel) first. The scan knows the first symbol of the suffix at position i from the
    /// bucket i lies in, so the type of j = SA[i] - 1 needs no look-up: every S-type suffix in
    /// the array now is an LMS suffix, whose predecessor is L, and an L suffix's predecessor is L
    /// exactly when its symbol is not smaller. One random access per entry (t[j]), not three.
    /// That access is made for a batch of entries before their bucket writes, so the misses
    /// overlap; an entry the batch itself filled or changed meanwhile is read again.
    /// </summary>
    private static void InduceL<TText>(TText t, Span<int> sa, Span<int> c, Span<int> bkt)
        where TText : ISymbols, allows ref struct
    {
        int n = t.Length;
        BucketStarts(c, bkt);
        ref int sa0 = ref MemoryMarshal.GetReference(sa);
        ref int b0 = ref MemoryMarshal.GetReference(bkt);
        ref int c0 = ref MemoryMarshal.GetReference(c);
        Unsafe.Add(ref sa0, Unsafe.Add(ref b0, t[n - 1])++) = n - 1;
        Span<int> ahead = stackalloc int[2 * Batch];
        ref int p0 = ref MemoryMarshal.GetReference(ahead);
        ref int y0 = ref Unsafe.Add(ref p0, Batch);
        int symbol = 0, bucketEnd = c0;
        for (int low = 0; low < n; low += Batch)
        {
            int high = Math.Min(low + Batch, n);
            for (int i = low; i < high; i++)
            {
                // Empty (-1) and first (0) entries read t[0], harmlessly.
                int p = Unsafe.Add(ref sa0, i), j = p - 1;
                Unsafe.Add(ref p0, i - low) = p;
                Unsafe.Add(ref y0, i - low) = t[j & ~(j >> 31)];
            }

            for (int i = low; i < high; i++)
            {
                while (i >= bucketEnd)
                {
                    bucketEnd += Unsafe.Add(ref c0, ++symbol);
                }

                int p = Unsafe.Add(ref sa0, i), j = p - 1;
                if (j >= 0)
                {
                    int a = p == Unsafe.Add(ref p0, i - low) ? Unsafe.Add(ref y0, i - low) : t[j];
                    if (a >= symbol)
                    {
                        Unsafe.Add(ref sa0, Unsafe.Add(ref b0, a)++) = j;
                    }
                }
            }
        }
    }

    /// <summary>
    /// S-type suffixes, right to left from the bucket ends. As in <see cref="InduceL"/>, the
    /// bucket of position i gives the symbol of the suffix there: j = SA[i] - 1 is S when its
    /// symbol is smaller, or equal and the suffix at i is S (only then is the type bit read);
    /// and the symbols are read a batch ahead in the same way. With <paramref name="markLms"/>
    /// (stage 1) each LMS position is stored with the sign bit set, so that gathering them
    /// afterwards is one sequential pass instead of a random type look-up per entry: j is S
    /// here, so it is LMS exactly when t[j - 1] &gt; t[j] (were they equal, j - 1 would be S too),
    /// a read next to that of t[j]. Entries are read without the mark.
    /// </summary>
    private static void InduceS<TText>(TText t, Span<int> sa, TypeBits s, Span<int> c, Span<int> bkt, bool markLms)
        where TText : ISymbols, allows ref struct
    {
        BucketEnds(c, bkt);
        int n = t.Length;
        int mark = markLms ? int.MinValue : 0;
        ref int sa0 = ref MemoryMarshal.GetReference(sa);
        ref int b0 = ref MemoryMarshal.GetReference(bkt);
        ref int c0 = ref MemoryMarshal.GetReference(c);
        Span<int> ahead = stackalloc int[2 * Batch];
        ref int v0 = ref MemoryMarshal.GetReference(ahead);
        ref int y0 = ref Unsafe.Add(ref v0, Batch);
        int symbol = c.Length - 1, bucketStart = n - Unsafe.Add(ref c0, symbol);
        for (int high = n - 1; high >= 0; high -= Batch)
        {
            int low = Math.Max(high - Batch + 1, 0);
            for (int i = high; i >= low; i--)
            {
                // An empty entry (-1, no position once unmarked) and the first suffix (0) read t[0], harmlessly.
                int v = Unsafe.Add(ref sa0, i), j = (v & int.MaxValue) - 1;
                j = (uint)j < (uint)n ? j : 0;
                Unsafe.Add(ref v0, i - low) = v;
                Unsafe.Add(ref y0, i - low) = t[j];
            }

            for (int i = high; i >= low; i--)
            {
                while (i < bucketStart)
                {
                    bucketStart -= Unsafe.Add(ref c0, --symbol);
                }

                int v = Unsafe.Add(ref sa0, i), p = v & int.MaxValue, j = p - 1;
                if ((uint)j < (uint)n)
                {
                    int a = v == Unsafe.Add(ref v0, i - low) ? Unsafe.Add(ref y0, i - low) : t[j];
                    if (a < symbol || (a == symbol && s[p]))
                    {
                        // a - t[j - 1] < 0 exactly when j is LMS; j = 0 compares t[0] with itself.
                        int before = j - 1;
                        Unsafe.Add(ref sa0, --Unsafe.Add(ref b0, a)) = j | ((a - t[before & ~(before >> 31)]) & mark);
                    }
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

        /// <summary>The symbol at <paramref name="index"/>, which the caller keeps in [0, <see cref="Length"/>): not checked.</summary>
        int this[int index] { get; }

        /// <summary>Whether the <paramref name="length"/> symbols at <paramref name="a"/> and at <paramref name="b"/> are equal (both runs inside the text).</summary>
        bool Equal(int a, int b, int length);
    }

    /// <summary>
    /// A text: bytes at the top level, or a reduced string of names (int) stored in the upper
    /// part of the caller's suffix array. Only those two are used, and for each the JIT keeps
    /// one branch of the indexer.
    /// </summary>
    private readonly ref struct SymbolText<T> : ISymbols
        where T : unmanaged, IEquatable<T>
    {
        private readonly ref T _first;

        public SymbolText(ReadOnlySpan<T> symbols)
        {
            _first = ref MemoryMarshal.GetReference(symbols);
            Length = symbols.Length;
        }

        public int Length { get; }

        public int this[int index] => typeof(T) == typeof(byte)
            ? Unsafe.As<T, byte>(ref Unsafe.Add(ref _first, index))
            : Unsafe.As<T, int>(ref Unsafe.Add(ref _first, index));

        public bool Equal(int a, int b, int length) =>
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref _first, a), length)
                .SequenceEqual(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref _first, b), length));
    }

    /// <summary>One bit per position: set for an S-type suffix.</summary>
    private readonly ref struct TypeBits(Span<ulong> words)
    {
        private readonly Span<ulong> _words = words;

        /// <summary>Whether position <paramref name="i"/> (in the text) is S-type.</summary>
        public bool this[int i] => (Unsafe.Add(ref MemoryMarshal.GetReference(_words), i >> 6) & (1UL << i)) != 0;

        public void SetWord(int index, ulong word) => _words[index] = word;

        public void Clear() => _words.Clear();

        /// <summary>The LMS positions in increasing order, a word of types at a time.</summary>
        public LmsEnumerator LmsPositions() => new(_words);
    }

    /// <summary>
    /// The LMS positions of a <see cref="TypeBits"/>, increasing: in word w, the bits that are S
    /// with the bit below L (the bit below position 64w is the top bit of word w - 1; position 0
    /// is never LMS).
    /// </summary>
    private ref struct LmsEnumerator(Span<ulong> words)
    {
        private readonly Span<ulong> _words = words;
        private int _word = -1;
        private ulong _pending;

        public readonly int Current => (_word << 6) + BitOperations.TrailingZeroCount(_pending);

        public readonly LmsEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_word >= 0)
            {
                _pending &= _pending - 1;
            }

            while (_pending == 0)
            {
                if (++_word >= _words.Length)
                {
                    return false;
                }

                ulong below = _word == 0 ? 1UL : _words[_word - 1] >> 63;
                _pending = _words[_word] & ~((_words[_word] << 1) | below);
            }

            return true;
        }
    }
}
