using RecoverySim.GoldenImage.Delta.Bzip2;
using RecoverySim.Testing;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Our bzip2 decoder: streams from SharpCompress's compressor and from ours, and hostile streams.</summary>
public class Bzip2InputStreamTests
{
    private static readonly Gen<byte[]> Inputs =
        Gen.Select(Gen.Byte, Gen.Int[0, 600], Gen.Byte[0, 3]).Array[0, 40].Select(runs => runs.SelectMany(r => Enumerable.Repeat(r.Item1, r.Item2 % 5 == 0 ? r.Item2 : r.Item3 + 1)).ToArray());

    [Fact]
    public void Streams_from_another_compressor_decode_to_their_input() =>
        Inputs.Sample(data => Assert.Equal(data, Decode(SharpCompressEncode(data))), seed: Fuzz.Seed(2501), iter: 300);

    [Fact]
    public void Streams_from_our_compressor_decode_to_their_input() =>
        Inputs.Sample(data => Assert.Equal(data, Decode(OursEncode(data))), seed: Fuzz.Seed(2502), iter: 300);

    [Fact]
    public void A_stream_of_several_blocks_decodes_and_reads_no_byte_past_its_end()
    {
        byte[] data = new byte[2_000_000];
        new Random(9).NextBytes(data.AsSpan(0, 1_200_000));
        foreach (byte[] stream in new[] { OursEncode(data), SharpCompressEncode(data[..1_200_000]) })
        {
            byte[] encoded = [.. stream, 0xEE];
            var input = new MemoryStream(encoded);
            byte[] decoded = Read(new Bzip2InputStream(input));
            Assert.Equal(data.AsSpan(0, decoded.Length).ToArray(), decoded);
            Assert.True(decoded.Length is 1_200_000 or 2_000_000, $"{decoded.Length} bytes");
            Assert.Equal(encoded.Length - 1, input.Position);
        }
    }

    [Fact]
    public void A_randomised_block_is_refused()
    {
        // SharpCompress's compressor (a port of Apache's Java bzip2) still randomises a block whose
        // sort runs too long, as bzip2 before 0.9.5 did; libbzip2 and ours never do.
        byte[] encoded = SharpCompressEncode(new byte[3_000_000]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Decode(encoded));
        Assert.Contains("randomised", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_streams_give_invalid_data_or_decode()
    {
        byte[][] valid = [.. Inputs.Array[4].Single(_ => true, Fuzz.Seed(2503)).Select(OursEncode)];
        Fuzz.Check(2504, Fuzz.Mutated(valid), bytes => Decode(bytes), typeof(InvalidDataException));
    }

    private static byte[] Decode(byte[] encoded) => Read(new Bzip2InputStream(new MemoryStream(encoded)));

    private static byte[] Read(Stream stream)
    {
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] OursEncode(byte[] data)
    {
        var output = new MemoryStream();
        using (var bzip2 = new Bzip2OutputStream(output, 2))
        {
            bzip2.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] SharpCompressEncode(byte[] data)
    {
        var output = new MemoryStream();
        using (var bzip2 = BZip2Stream.Create(output, CompressionMode.Compress, decompressConcatenated: false, leaveOpen: false))
        {
            bzip2.Write(data);
        }

        return output.ToArray();
    }
}
