using RecoverySim.GoldenImage.Delta.Bzip2;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Our bzip2 decoder: streams from SharpCompress's compressor and from ours, and hostile streams.</summary>
public class Bzip2InputStreamTests
{
    [Fact]
    public void Streams_from_another_compressor_decode_to_their_input() =>
        Bzip2Streams.Inputs.Sample(data => Assert.Equal(data, Bzip2Streams.DecodeOurs(Bzip2Streams.SharpCompress(data))), seed: Fuzz.Seed(2501), iter: 300);

    [Fact]
    public void Streams_from_our_compressor_decode_to_their_input() =>
        Bzip2Streams.Inputs.Sample(data => Assert.Equal(data, Bzip2Streams.DecodeOurs(Bzip2Streams.Ours(data))), seed: Fuzz.Seed(2502), iter: 300);

    [Fact]
    public void A_stream_of_several_blocks_decodes_and_reads_no_byte_past_its_end()
    {
        byte[] data = new byte[2_000_000];
        new Random(9).NextBytes(data.AsSpan(0, 1_200_000));
        foreach (byte[] stream in new[] { Bzip2Streams.Ours(data), Bzip2Streams.SharpCompress(data[..1_200_000]) })
        {
            byte[] encoded = [.. stream, 0xEE];
            var input = new MemoryStream(encoded);
            byte[] decoded = Bzip2Streams.ReadAll(new Bzip2InputStream(input));
            Assert.True(decoded.Length is 1_200_000 or 2_000_000, $"{decoded.Length} bytes");
            Assert.Equal(data.AsSpan(0, decoded.Length).ToArray(), decoded);
            Assert.Equal(encoded.Length - 1, input.Position);
        }
    }

    [Fact]
    public void A_randomised_block_is_refused()
    {
        // SharpCompress's compressor (a port of Apache's Java bzip2) still randomises a block whose
        // sort runs too long, as bzip2 before 0.9.5 did; libbzip2 and ours never do.
        byte[] encoded = Bzip2Streams.SharpCompress(new byte[3_000_000]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Bzip2Streams.DecodeOurs(encoded));
        Assert.Contains("randomised", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_streams_give_invalid_data_or_decode()
    {
        byte[][] valid = [.. Bzip2Streams.Inputs.Array[4].Single(_ => true, Fuzz.Seed(2503)).Select(d => Bzip2Streams.Ours(d))];
        Fuzz.Check(2504, Fuzz.Mutated(valid), bytes => Bzip2Streams.DecodeOurs(bytes), typeof(InvalidDataException));
    }
}
