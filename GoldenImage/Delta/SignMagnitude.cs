using System.Buffers.Binary;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// The 8-byte integers of BSDIFF40 (bsdiff.c <c>offtout</c>, bspatch.c <c>offtin</c>):
/// little-endian magnitude in the low 63 bits, the sign in the top bit of the last byte. Not
/// two's complement: -1 is <c>01 00 00 00 00 00 00 80</c>.
/// </summary>
public static class SignMagnitude
{
    /// <summary>Bytes of one value.</summary>
    public const int Size = 8;

    private const ulong SignBit = 1UL << 63;

    /// <summary>Writes <paramref name="value"/> (any value but <see cref="long.MinValue"/>, whose magnitude has no room).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is <see cref="long.MinValue"/>.</exception>
    public static void Write(Span<byte> destination, long value)
    {
        if (value == long.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "sign-magnitude holds -(2^63 - 1) to 2^63 - 1");
        }

        ulong bits = value < 0 ? (ulong)-value | SignBit : (ulong)value;
        BinaryPrimitives.WriteUInt64LittleEndian(destination, bits);
    }

    /// <summary>
    /// Reads one value; false for negative zero (<c>00 .. 00 80</c>), which bsdiff never writes
    /// and which has no second meaning worth accepting.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out long value)
    {
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(source);
        long magnitude = (long)(bits & ~SignBit);
        bool negative = (bits & SignBit) != 0;
        value = negative ? -magnitude : magnitude;
        return !(negative && magnitude == 0);
    }
}
