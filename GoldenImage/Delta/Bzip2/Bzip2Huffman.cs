namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>
/// Huffman code lengths limited to <see cref="MaxLength"/> bits, as libbzip2's
/// <c>BZ2_hbMakeCodeLengths</c> makes them (a heap over weights whose low byte is the subtree
/// depth, so ties prefer shallow trees; when a code is too long, the frequencies are halved and
/// the tree rebuilt), and the canonical codes the decoder expects (<c>BZ2_hbAssignCodes</c>).
/// </summary>
internal static class Bzip2Huffman
{
    /// <summary>Longest code the encoder makes (libbzip2's choice; the format allows 20).</summary>
    public const int MaxLength = 17;

    public static void MakeLengths(Span<byte> lengths, ReadOnlySpan<int> frequencies, int alphaSize)
    {
        int nodes = 2 * alphaSize;
        Span<int> heap = stackalloc int[nodes + 2];
        Span<int> weight = stackalloc int[nodes + 2];
        Span<int> parent = stackalloc int[nodes + 2];
        for (int i = 0; i < alphaSize; i++)
        {
            weight[i + 1] = (frequencies[i] == 0 ? 1 : frequencies[i]) << 8;
        }

        while (true)
        {
            int nNodes = alphaSize, nHeap = 0;
            heap[0] = 0;
            weight[0] = 0;
            parent[0] = -2;
            for (int i = 1; i <= alphaSize; i++)
            {
                parent[i] = -1;
                heap[++nHeap] = i;
                Up(heap, weight, nHeap);
            }

            while (nHeap > 1)
            {
                int n1 = heap[1];
                heap[1] = heap[nHeap--];
                Down(heap, weight, nHeap, 1);
                int n2 = heap[1];
                heap[1] = heap[nHeap--];
                Down(heap, weight, nHeap, 1);
                nNodes++;
                parent[n1] = parent[n2] = nNodes;
                weight[nNodes] = (int)(((uint)weight[n1] & 0xFFFFFF00) + ((uint)weight[n2] & 0xFFFFFF00)) | (1 + Math.Max(weight[n1] & 0xFF, weight[n2] & 0xFF));
                parent[nNodes] = -1;
                heap[++nHeap] = nNodes;
                Up(heap, weight, nHeap);
            }

            bool tooLong = false;
            for (int i = 1; i <= alphaSize; i++)
            {
                int depth = 0;
                for (int k = i; parent[k] >= 0; k = parent[k])
                {
                    depth++;
                }

                lengths[i - 1] = (byte)depth;
                tooLong |= depth > MaxLength;
            }

            if (!tooLong)
            {
                return;
            }

            for (int i = 1; i <= alphaSize; i++)
            {
                int j = weight[i] >> 8;
                weight[i] = (1 + (j / 2)) << 8;
            }
        }
    }

    /// <summary>Canonical codes: by length, then by symbol, counting up.</summary>
    public static void AssignCodes(Span<uint> codes, ReadOnlySpan<byte> lengths, int alphaSize)
    {
        uint code = 0;
        for (int length = 1; length <= MaxLength; length++)
        {
            for (int i = 0; i < alphaSize; i++)
            {
                if (lengths[i] == length)
                {
                    codes[i] = code++;
                }
            }

            code <<= 1;
        }
    }

    private static void Up(Span<int> heap, Span<int> weight, int z)
    {
        int tmp = heap[z];
        while (weight[tmp] < weight[heap[z >> 1]])
        {
            heap[z] = heap[z >> 1];
            z >>= 1;
        }

        heap[z] = tmp;
    }

    private static void Down(Span<int> heap, Span<int> weight, int nHeap, int z)
    {
        int tmp = heap[z];
        while (true)
        {
            int y = z << 1;
            if (y > nHeap)
            {
                break;
            }

            if (y < nHeap && weight[heap[y + 1]] < weight[heap[y]])
            {
                y++;
            }

            if (weight[tmp] < weight[heap[y]])
            {
                break;
            }

            heap[z] = heap[y];
            z = y;
        }

        heap[z] = tmp;
    }
}
