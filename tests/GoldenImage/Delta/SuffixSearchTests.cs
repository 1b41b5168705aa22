using RecoverySim.GoldenImage.Delta;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>
/// The search with its tree of first steps against bsdiff's plain binary search (bsdiff.c
/// <c>search</c>): the same length and the same position for every target, so that patches stay
/// what bsdiff's search makes.
/// </summary>
public class SuffixSearchTests
{
    /// <summary>
    /// Old files from a few bytes (suffixes shorter than the 8 bytes the tree keeps) to more than
    /// the tree's 2^15 nodes, random over a small or the whole alphabet, or a short period
    /// repeated (many equal 8-byte prefixes); targets cut from the old file, possibly changed, or
    /// random.
    /// </summary>
    private static readonly Gen<(byte[] Old, byte[][] Targets)> Cases =
        Gen.OneOf(
            Gen.Int[1, 256].SelectMany(k => Gen.Byte[0, (byte)(k - 1)].Array[1, 70_000]),
            Gen.Select(Gen.Byte[0, 2].Array[1, 5], Gen.Int[1, 15_000]).Select((period, times) => Enumerable.Repeat(period, times).SelectMany(b => b).ToArray()))
        .SelectMany(old => Gen.OneOf(
                Gen.Select(Gen.Int[0, old.Length - 1], Gen.Int[1, 40], Gen.Int[0, 39], Gen.Byte)
                    .Select((at, length, change, value) =>
                    {
                        byte[] target = old.AsSpan(at, Math.Min(length, old.Length - at)).ToArray();
                        target[change % target.Length] ^= value;
                        return target;
                    }),
                Gen.Byte.Array[1, 20])
            .Array[1, 30]
            .Select(targets => (old, targets)));

    [Fact]
    public void The_search_finds_what_bsdiffs_binary_search_finds() =>
        Cases.Sample(c =>
        {
            int[] sa = SuffixArray.Build(c.Old);
            var search = new SuffixSearch(sa, c.Old);
            foreach (byte[] target in c.Targets)
            {
                int length = search.Longest(target, out int position);
                int expected = BinarySearch(sa, c.Old, target, out int expectedPosition);
                Assert.Equal((expected, expectedPosition), (length, position));
            }
        }, seed: Fuzz.Seed(2203), iter: 150);

    /// <summary>bsdiff.c <c>search</c>, as it is: halve [0, n - 1] by comparing the common length, then the longer of the two ends.</summary>
    private static int BinarySearch(int[] sa, byte[] old, byte[] target, out int position)
    {
        int start = 0, end = sa.Length - 1;
        while (end - start >= 2)
        {
            int middle = start + ((end - start) / 2);
            ReadOnlySpan<byte> suffix = old.AsSpan(sa[middle]);
            int common = Math.Min(suffix.Length, target.Length);
            if (suffix[..common].SequenceCompareTo(target.AsSpan(0, common)) < 0)
            {
                start = middle;
            }
            else
            {
                end = middle;
            }
        }

        int a = old.AsSpan(sa[start]).CommonPrefixLength(target);
        int b = old.AsSpan(sa[end]).CommonPrefixLength(target);
        position = a > b ? sa[start] : sa[end];
        return Math.Max(a, b);
    }
}
