using RecoverySim.GoldenImage.Delta.Bzip2;
using RecoverySim.Testing;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Our bzip2 compressor, read back by SharpCompress's decoder (Interop has libbzip2, through bspatch).</summary>
public class Bzip2OutputStreamTests
{
    /// <summary>Random bytes, runs of all lengths around the run-length coder's limits, and small alphabets.</summary>
    private static readonly Gen<byte[]> Inputs =
        Gen.Select(Gen.Byte, Gen.Int[0, 300], Gen.Byte[0, 3]).Array[0, 60].Select(runs => runs.SelectMany(r => Enumerable.Repeat(r.Item1, r.Item2 % 7 == 0 ? r.Item2 : r.Item3 + 1)).ToArray());

    [Fact]
    public void What_it_writes_decodes_to_what_it_was_given() =>
        Inputs.Sample(data => Assert.Equal(data, Decode(Encode(data, 2))), seed: Fuzz.Seed(2401), iter: 500);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(900_000)]
    [InlineData(2_500_000)]
    public void Several_blocks_compressed_in_parallel_join_into_one_stream(int randomLength)
    {
        // Random bytes then a long run of zeros: blocks that end on a run and blocks of 899981 bytes.
        byte[] data = new byte[randomLength + 3_000_000];
        new Random(5).NextBytes(data.AsSpan(0, randomLength));
        byte[] encoded = Encode(data, 3);
        Assert.Equal("BZh9"u8.ToArray(), encoded[..4]);
        Assert.Equal(data, Decode(encoded));
    }

    [Fact]
    public void Mostly_zero_diff_data_compresses_as_well_as_libbzip2()
    {
        // What a diff block looks like: zeros with a changed byte every 64 KiB. libbzip2 -9 gives 270 bytes for these 8 MiB.
        byte[] data = new byte[8 << 20];
        for (int i = 0; i < data.Length; i += 65536)
        {
            data[i] = (byte)(i >> 16);
        }

        byte[] encoded = Encode(data, 2);
        Assert.Equal(data, Decode(encoded));
        Assert.True(encoded.Length <= 270, $"{encoded.Length} bytes");
    }

    private static byte[] Encode(byte[] data, int threads)
    {
        var output = new MemoryStream();
        using (var bzip2 = new Bzip2OutputStream(output, threads))
        {
            // In uneven pieces, so runs and blocks straddle writes.
            for (int at = 0, piece = 1; at < data.Length; at += piece, piece = (piece * 7 % 100_003) + 1)
            {
                bzip2.Write(data.AsSpan(at, Math.Min(piece, data.Length - at)));
            }
        }

        return output.ToArray();
    }

    private static byte[] Decode(byte[] encoded)
    {
        using var bzip2 = BZip2Stream.Create(new MemoryStream(encoded), CompressionMode.Decompress, decompressConcatenated: false);
        var output = new MemoryStream();
        bzip2.CopyTo(output);
        return output.ToArray();
    }
}
