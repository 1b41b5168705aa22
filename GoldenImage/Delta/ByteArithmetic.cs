using System.Numerics;
using System.Runtime.InteropServices;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>Byte-wise addition and subtraction mod 256 (the diff block of BSDIFF40), a vector at a time.</summary>
internal static class ByteArithmetic
{
    /// <summary><paramref name="result"/>[i] = <paramref name="a"/>[i] - <paramref name="b"/>[i] mod 256 (bsdiff's diff bytes).</summary>
    public static void Subtract(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<byte>> va = MemoryMarshal.Cast<byte, Vector<byte>>(a), vb = MemoryMarshal.Cast<byte, Vector<byte>>(b);
            Span<Vector<byte>> vr = MemoryMarshal.Cast<byte, Vector<byte>>(result);
            for (int v = 0; v < va.Length; v++)
            {
                vr[v] = va[v] - vb[v];
            }

            i = va.Length * Vector<byte>.Count;
        }

        for (; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] - b[i]);
        }
    }

    /// <summary><paramref name="accumulator"/>[i] += <paramref name="b"/>[i] mod 256 (bspatch's diff applied to old bytes).</summary>
    public static void AddTo(Span<byte> accumulator, ReadOnlySpan<byte> b)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<byte>> va = MemoryMarshal.Cast<byte, Vector<byte>>(accumulator);
            ReadOnlySpan<Vector<byte>> vb = MemoryMarshal.Cast<byte, Vector<byte>>(b);
            for (int v = 0; v < va.Length; v++)
            {
                va[v] += vb[v];
            }

            i = va.Length * Vector<byte>.Count;
        }

        for (; i < accumulator.Length; i++)
        {
            accumulator[i] += b[i];
        }
    }
}
