namespace RecoverySim.GoldenImage.Delta.Bzip2;

/// <summary>bzip2's CRC-32: polynomial 0x04C11DB7 shifted most significant bit first (not reflected, unlike zlib's), init and final XOR 0xFFFFFFFF.</summary>
internal static class Bzip2Crc
{
    private static readonly uint[] Table = Build();

    /// <summary>The running CRC (start with 0xFFFFFFFF) after <paramref name="data"/>; complement it at the end.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = (crc << 8) ^ Table[(crc >> 24) ^ b];
        }

        return crc;
    }

    /// <summary>The running CRC after <paramref name="count"/> copies of <paramref name="b"/>.</summary>
    public static uint Update(uint crc, byte b, int count)
    {
        for (int i = 0; i < count; i++)
        {
            crc = (crc << 8) ^ Table[(crc >> 24) ^ b];
        }

        return crc;
    }

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i << 24;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }

            table[i] = c;
        }

        return table;
    }
}
