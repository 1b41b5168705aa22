using System.Buffers.Binary;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// bsdiff's <c>search</c> (bsdiff.c): the longest match of a target in the old file, by binary
/// search over the old file's suffix array, with the same steps and so the same answer. Every
/// search starts on the whole array, so its first <see cref="Levels"/> steps can only visit the
/// 2^<see cref="Levels"/> - 1 middles of a fixed tree; the first 8 bytes of those suffixes are
/// kept here, together (256 KiB), and a step there compares them with the target's first 8
/// bytes instead of reading the suffix array and the old file at two random places, both cache
/// misses on a large file. Only when those 8 bytes are equal, or either side is shorter, does
/// the step compare the bytes themselves, as bsdiff does.
/// </summary>
internal sealed class SuffixSearch
{
    /// <summary>Tree levels kept: 2^15 nodes of 8 bytes, in the L2 or L3 cache.</summary>
    private const int Levels = 15;

    private readonly int[] _sa;
    private readonly ReadOnlyMemory<byte> _old;

    /// <summary>Node i (heap order from 1: children 2i, below the middle, and 2i + 1, above): the suffix's first 8 bytes, big-endian.</summary>
    private readonly ulong[] _prefix;

    /// <summary>Whether node i's suffix has 8 bytes at all (else its prefix is not used).</summary>
    private readonly bool[] _full;

    /// <summary>Over <paramref name="sa"/>, the suffix array of <paramref name="old"/>.</summary>
    public SuffixSearch(int[] sa, ReadOnlyMemory<byte> old)
    {
        _sa = sa;
        _old = old;
        ReadOnlySpan<byte> bytes = old.Span;
        int nodes = 1 << Levels;
        _prefix = new ulong[nodes];
        _full = new bool[nodes];
        int[] starts = new int[nodes], ends = new int[nodes];
        if (sa.Length > 0)
        {
            starts[1] = 0;
            ends[1] = sa.Length - 1;
        }

        for (int node = 1; node < nodes; node++)
        {
            int start = starts[node], end = ends[node];
            if (end - start < 2)
            {
                // The search has stopped above this node (or never reaches it): no children.
                continue;
            }

            int middle = start + ((end - start) / 2);
            int suffix = sa[middle];
            if (bytes.Length - suffix >= 8)
            {
                _prefix[node] = BinaryPrimitives.ReadUInt64BigEndian(bytes[suffix..]);
                _full[node] = true;
            }

            if (2 * node + 1 < nodes)
            {
                (starts[2 * node], ends[2 * node]) = (start, middle);
                (starts[(2 * node) + 1], ends[(2 * node) + 1]) = (middle, end);
            }
        }
    }

    /// <summary>The length of the longest match of <paramref name="target"/> (not empty) in the old file, and in <paramref name="position"/> where it starts.</summary>
    public int Longest(ReadOnlySpan<byte> target, out int position)
    {
        ReadOnlySpan<int> sa = _sa;
        ReadOnlySpan<byte> old = _old.Span;
        bool targetFull = target.Length >= 8;
        ulong key = targetFull ? BinaryPrimitives.ReadUInt64BigEndian(target) : 0;
        int start = 0, end = sa.Length - 1, node = 1;
        while (end - start >= 2)
        {
            int middle = start + ((end - start) / 2);
            bool below;
            if (node < _prefix.Length && targetFull && _full[node] && _prefix[node] != key)
            {
                // The first difference is within the first 8 bytes of both: the bytes decide as the prefixes do.
                below = _prefix[node] < key;
            }
            else
            {
                ReadOnlySpan<byte> suffix = old[sa[middle]..];
                int common = Math.Min(suffix.Length, target.Length);
                below = suffix[..common].SequenceCompareTo(target[..common]) < 0;
            }

            if (below)
            {
                start = middle;
            }
            else
            {
                end = middle;
            }

            if (node < _prefix.Length)
            {
                node = (2 * node) + (below ? 1 : 0);
            }
        }

        int a = old[sa[start]..].CommonPrefixLength(target);
        int b = old[sa[end]..].CommonPrefixLength(target);
        if (a > b)
        {
            position = sa[start];
            return a;
        }

        position = sa[end];
        return b;
    }
}
