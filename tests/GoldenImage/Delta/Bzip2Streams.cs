using RecoverySim.GoldenImage.Delta.Bzip2;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>bzip2 both ways with ours and with SharpCompress (a second implementation to check ours against).</summary>
internal static class Bzip2Streams
{
    /// <summary>Random bytes, runs of all lengths around the run-length coder's limits (4, 255, 256 ...), and small alphabets.</summary>
    public static readonly Gen<byte[]> Inputs =
        Gen.Select(Gen.Byte, Gen.Int[0, 600], Gen.Byte[0, 3]).Array[0, 60]
            .Select(runs => runs.SelectMany(r => Enumerable.Repeat(r.Item1, r.Item2 % 5 == 0 ? r.Item2 : r.Item3 + 1)).ToArray());

    /// <summary>Our compressor, fed in uneven pieces so that runs and blocks straddle writes.</summary>
    public static byte[] Ours(byte[] data, int threads = 2)
    {
        var output = new MemoryStream();
        using (var bzip2 = new Bzip2OutputStream(output, threads))
        {
            for (int at = 0, piece = 1; at < data.Length; at += piece, piece = (piece * 7 % 100_003) + 1)
            {
                bzip2.Write(data.AsSpan(at, Math.Min(piece, data.Length - at)));
            }
        }

        return output.ToArray();
    }

    public static byte[] SharpCompress(byte[] data)
    {
        var output = new MemoryStream();
        using (var bzip2 = BZip2Stream.Create(output, CompressionMode.Compress, decompressConcatenated: false, leaveOpen: false))
        {
            bzip2.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] DecodeOurs(byte[] encoded) => ReadAll(new Bzip2InputStream(new MemoryStream(encoded)));

    public static byte[] DecodeSharpCompress(byte[] encoded) =>
        ReadAll(BZip2Stream.Create(new MemoryStream(encoded), CompressionMode.Decompress, decompressConcatenated: false));

    public static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            var output = new MemoryStream();
            stream.CopyTo(output);
            return output.ToArray();
        }
    }
}
