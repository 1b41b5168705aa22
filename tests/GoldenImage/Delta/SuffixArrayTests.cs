using RecoverySim.GoldenImage.Delta;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>SA-IS against a naive sort of the suffixes, on random and on highly repetitive texts.</summary>
public class SuffixArrayTests
{
    /// <summary>Random bytes over a small or the whole alphabet.</summary>
    private static readonly Gen<byte[]> Random =
        Gen.Int[1, 256].SelectMany(k => Gen.Byte[0, (byte)(k - 1)].Array[0, 600]);

    /// <summary>A few short seeds repeated, with now and then a changed byte: many equal LMS substrings, deep recursion.</summary>
    private static readonly Gen<byte[]> Repetitive =
        Gen.Select(Gen.Byte[0, 3].Array[1, 7], Gen.Int[1, 200], Gen.Int[0, 3].Array[0, 3], Gen.Byte)
            .Select((seed, times, changes, value) =>
            {
                byte[] text = [.. Enumerable.Repeat(seed, times).SelectMany(b => b)];
                foreach (int c in changes)
                {
                    if (text.Length > 0)
                    {
                        text[(c * 7919) % text.Length] = value;
                    }
                }

                return text;
            });

    /// <summary>
    /// Texts of a few hundred to tens of thousands of bytes, longer than the induce scans' batches
    /// and the 64-bit type words, in the shapes that stress SA-IS: random over a small or the whole
    /// alphabet, long runs of one byte, a short period repeated with a few changes, all one byte.
    /// </summary>
    private static readonly Gen<byte[]> Long =
        Gen.OneOf(
            Gen.Int[1, 256].SelectMany(k => Gen.Byte[0, (byte)(k - 1)].Array[200, 40_000]),
            Gen.Select(Gen.Byte[0, 3], Gen.Int[1, 3000]).Array[1, 40].Select(runs => runs.SelectMany(r => Enumerable.Repeat(r.Item1, r.Item2)).ToArray()),
            Gen.Select(Gen.Byte.Array[1, 9], Gen.Int[50, 5000], Gen.Int.Array[0, 4], Gen.Byte).Select((period, times, changes, value) =>
            {
                byte[] text = [.. Enumerable.Repeat(period, times).SelectMany(b => b)];
                foreach (int c in changes)
                {
                    text[(int)((uint)c % (uint)text.Length)] = value;
                }

                return text;
            }),
            Gen.Select(Gen.Byte, Gen.Int[0, 20_000]).Select((b, n) => Enumerable.Repeat(b, n).ToArray()));

    /// <summary>
    /// Random bytes, then the same again with a change or two: about half the LMS substrings
    /// distinct, and suffixes of the two copies that agree for thousands of names, so the
    /// shallow sort of the reduced string starts and then gives up.
    /// </summary>
    private static readonly Gen<byte[]> Twice =
        Gen.Select(Gen.Byte.Array[100, 20_000], Gen.Int.Array[0, 2], Gen.Byte).Select((half, changes, value) =>
        {
            byte[] text = [.. half, .. half];
            foreach (int c in changes)
            {
                text[half.Length + (int)((uint)c % (uint)half.Length)] ^= value;
            }

            return text;
        });

    /// <summary>Reduced strings as the levels below the top see them: symbols over a small or a large alphabet.</summary>
    private static readonly Gen<(int[] Text, int Alphabet)> Symbols =
        Gen.OneOf(Gen.Int[1, 8], Gen.Int[9, 1 << 14], Gen.Int[1 << 14, 1 << 20])
            .SelectMany(k => Gen.Int[0, k - 1].Array[0, 3000].Select(text => (text, k)));

    [Fact]
    public void Random_texts_sort_as_a_naive_sort_does() =>
        Random.Sample(text => Assert.Equal(Naive(text), SuffixArray.Build(text)), seed: Fuzz.Seed(2101), iter: 2000);

    [Fact]
    public void Repetitive_texts_sort_as_a_naive_sort_does() =>
        Repetitive.Sample(text => Assert.Equal(Naive(text), SuffixArray.Build(text)), seed: Fuzz.Seed(2102), iter: 2000);

    [Fact]
    public void Long_runs_periodic_and_random_texts_give_a_valid_suffix_array() =>
        Long.Sample(text => AssertSuffixArray(text, SuffixArray.Build(text)), seed: Fuzz.Seed(2103), iter: 300);

    [Fact]
    public void The_byte_level_and_the_generic_level_give_the_same_suffix_array() =>
        Gen.OneOf(Long, Repetitive, Random).Sample(text =>
        {
            int[] generic = new int[text.Length];
            SuffixArray.BuildFromSymbols([.. text.Select(b => (int)b)], 256, generic);
            Assert.Equal(SuffixArray.Build(text), generic);
        }, seed: Fuzz.Seed(2104), iter: 300);

    [Fact]
    public void The_shallow_sort_of_reduced_strings_and_sa_is_all_the_way_agree() =>
        Gen.OneOf(Long, Repetitive, Random, Twice).Sample(text =>
        {
            int[] shallow = new int[text.Length], deep = new int[text.Length];
            SuffixArray.Build(text, shallow, shallow: true);
            SuffixArray.Build(text, deep, shallow: false);
            Assert.Equal(deep, shallow);
        }, seed: Fuzz.Seed(2107), iter: 300);

    [Fact]
    public void A_random_text_written_twice_gives_a_valid_suffix_array() =>
        Twice.Sample(text => AssertSuffixArray(text, SuffixArray.Build(text)), seed: Fuzz.Seed(2108), iter: 100);

    [Fact]
    public void Texts_of_names_sort_as_a_naive_sort_does() =>
        Symbols.Sample(s =>
        {
            int[] sa = new int[s.Text.Length];
            SuffixArray.BuildFromSymbols(s.Text, s.Alphabet, sa);
            int[] naive = [.. Enumerable.Range(0, s.Text.Length)];
            Array.Sort(naive, (a, b) => s.Text.AsSpan(a).SequenceCompareTo(s.Text.AsSpan(b)));
            Assert.Equal(naive, sa);
        }, seed: Fuzz.Seed(2105), iter: 500);

    [Fact]
    public void A_megabyte_of_random_bytes_gives_a_valid_suffix_array()
    {
        // Deep enough for every level to run many batches and to rent its buckets.
        byte[] text = new byte[1 << 20];
        new System.Random(2106).NextBytes(text);
        AssertSuffixArray(text, SuffixArray.Build(text));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100_000)]
    public void A_run_of_one_byte_sorts_shortest_suffix_first(int length)
    {
        // The worst case for the type structure: every suffix L-type, no LMS position at all.
        int[] sa = SuffixArray.Build(new byte[length]);
        Assert.Equal(Enumerable.Range(0, length).Reverse(), sa);
    }

    [Fact]
    public void A_large_periodic_text_sorts_as_its_period_says()
    {
        // "ab" repeated: suffixes starting with 'a' (even positions) first, each group longest-last.
        const int Half = 50_000;
        byte[] text = [.. Enumerable.Range(0, 2 * Half).Select(i => (byte)(i % 2 == 0 ? 'a' : 'b'))];
        int[] expected = [.. Enumerable.Range(0, Half).Select(i => 2 * (Half - 1 - i)), .. Enumerable.Range(0, Half).Select(i => (2 * (Half - 1 - i)) + 1)];
        Assert.Equal(expected, SuffixArray.Build(text));
    }

    [Fact]
    public void A_destination_of_the_wrong_length_is_refused()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SuffixArray.Build([1, 2, 3], new int[2]));
        Assert.Contains("3 entries", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Checks in linear time that <paramref name="sa"/> is the suffix array of <paramref name="text"/>
    /// (Burkhardt and Kärkkäinen, "Fast Lightweight Suffix Array Construction and Checking", CPM
    /// 2003): a permutation in which each suffix's first byte is not greater than the next one's and,
    /// when equal, the rest of it ranks lower (the empty suffix lowest).
    /// </summary>
    private static void AssertSuffixArray(byte[] text, int[] sa)
    {
        int n = text.Length;
        Assert.Equal(n, sa.Length);
        int[] rank = new int[n];
        rank.AsSpan().Fill(-1);
        for (int i = 0; i < n; i++)
        {
            Assert.InRange(sa[i], 0, n - 1);
            Assert.Equal(-1, rank[sa[i]]);
            rank[sa[i]] = i;
        }

        for (int i = 1; i < n; i++)
        {
            int a = sa[i - 1], b = sa[i];
            int restA = a + 1 < n ? rank[a + 1] : -1, restB = b + 1 < n ? rank[b + 1] : -1;
            Assert.True(text[a] < text[b] || (text[a] == text[b] && restA < restB), $"suffixes {a} and {b} out of order at {i}");
        }
    }

    private static int[] Naive(byte[] text)
    {
        int[] sa = [.. Enumerable.Range(0, text.Length)];
        Array.Sort(sa, (a, b) => text.AsSpan(a).SequenceCompareTo(text.AsSpan(b)));
        return sa;
    }
}
