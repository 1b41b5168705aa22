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

    [Fact]
    public void Random_texts_sort_as_a_naive_sort_does() =>
        Random.Sample(text => Assert.Equal(Naive(text), SuffixArray.Build(text)), seed: Fuzz.Seed(2101), iter: 2000);

    [Fact]
    public void Repetitive_texts_sort_as_a_naive_sort_does() =>
        Repetitive.Sample(text => Assert.Equal(Naive(text), SuffixArray.Build(text)), seed: Fuzz.Seed(2102), iter: 2000);

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

    private static int[] Naive(byte[] text)
    {
        int[] sa = [.. Enumerable.Range(0, text.Length)];
        Array.Sort(sa, (a, b) => text.AsSpan(a).SequenceCompareTo(text.AsSpan(b)));
        return sa;
    }
}
