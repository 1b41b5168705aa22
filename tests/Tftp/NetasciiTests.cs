using System.Text;
using RecoverySim.Tftp.Text;

namespace RecoverySim.Tftp.Tests;

public sealed class NetasciiTests
{
    // Text heavy in CR and LF so that pairs fall on every boundary.
    private static readonly Gen<byte[]> Text = Gen.OneOf(Gen.Const((byte)'\r'), Gen.Const((byte)'\n'), Gen.Const((byte)0), Gen.Byte[(byte)'a', (byte)'e']).Array[0, 3000];

    [Fact]
    public void Encoding_known_text()
    {
        Assert.Equal("a\r\nb\r\0c\r\n\r\n"u8.ToArray(), Encode("a\nb\rc\n\n"u8.ToArray(), 1000));
        Assert.Equal("a\nb\rc\n\r"u8.ToArray(), Decode("a\r\nb\r\0c\r\n\r"u8.ToArray(), 1000));
    }

    [Fact]
    public void Cr_lf_split_across_blocks_decodes() =>
        Assert.Equal("ab\ncd"u8.ToArray(), Decode("ab\r\ncd"u8.ToArray(), 3));

    [Fact]
    public void Round_trip_with_any_block_size() =>
        Gen.Select(Text, Gen.Int[1, 700], Gen.Int[1, 700]).Sample((text, readSize, writeSize) =>
        {
            byte[] wire = Encode(text, readSize);
            Assert.Equal(text.Length + text.Count(b => b is (byte)'\r' or (byte)'\n'), wire.Length);
            Assert.Equal(text, Decode(wire, writeSize));
        }, iter: 500);

    [Fact]
    public async Task Async_paths_match_the_sync_ones()
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("line\r\nbare\rcr\n", 5000)));
        var encoder = new NetasciiEncodingStream(new MemoryStream(text));
        var wire = new MemoryStream();
        var block = new byte[512];
        int read;
        while ((read = await encoder.ReadAsync(block)) > 0)
        {
            await wire.WriteAsync(block.AsMemory(0, read));
        }

        Assert.Equal(Encode(text, 512), wire.ToArray());
        var output = new MemoryStream();
        var decoder = new NetasciiDecodingStream(output, leaveOpen: true);
        await decoder.WriteAsync(wire.ToArray());
        decoder.Complete();
        Assert.Equal(text, output.ToArray());
    }

    private static byte[] Encode(byte[] text, int readSize)
    {
        using var encoder = new NetasciiEncodingStream(new MemoryStream(text));
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = encoder.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private static byte[] Decode(byte[] wire, int writeSize)
    {
        var output = new MemoryStream();
        using var decoder = new NetasciiDecodingStream(output, leaveOpen: true);
        for (int i = 0; i < wire.Length; i += writeSize)
        {
            decoder.Write(wire, i, Math.Min(writeSize, wire.Length - i));
        }

        decoder.Complete();
        return output.ToArray();
    }
}
