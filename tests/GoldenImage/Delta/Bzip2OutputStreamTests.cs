using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Our bzip2 compressor, read back by SharpCompress's decoder (Interop has libbzip2, through bspatch).</summary>
public class Bzip2OutputStreamTests
{
    [Fact]
    public void What_it_writes_decodes_to_what_it_was_given() =>
        Bzip2Streams.Inputs.Sample(data => Assert.Equal(data, Bzip2Streams.DecodeSharpCompress(Bzip2Streams.Ours(data))), seed: Fuzz.Seed(2401), iter: 500);

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
        byte[] encoded = Bzip2Streams.Ours(data, threads: 3);
        Assert.Equal("BZh9"u8.ToArray(), encoded[..4]);
        Assert.Equal(data, Bzip2Streams.DecodeSharpCompress(encoded));
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

        byte[] encoded = Bzip2Streams.Ours(data);
        Assert.Equal(data, Bzip2Streams.DecodeSharpCompress(encoded));
        Assert.True(encoded.Length <= 270, $"{encoded.Length} bytes");
    }
}
