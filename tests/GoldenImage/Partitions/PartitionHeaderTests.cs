using System.Buffers.Binary;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Tests.Partitions;

public class PartitionHeaderTests
{
    [Fact]
    public void Size_is_a_whole_number_of_sectors()
    {
        Assert.Equal(0, PartitionHeader.Size % 512);
    }

    [Fact]
    public void Round_trip_through_bytes_keeps_every_field()
    {
        PartitionGen.Header.Sample(header =>
        {
            byte[] bytes = new byte[PartitionHeader.Size];
            header.WriteTo(bytes);
            PartitionHeader back = PartitionHeader.Parse(bytes);
            Assert.Equal(header, back);
            Assert.Equal(bytes, back.RawBytes.ToArray());
            Assert.Equal(bytes[..320], back.SignedBytes.ToArray());
            Assert.True(PartitionHeader.TryParse(bytes, out PartitionHeader tried));
            Assert.Equal(header, tried);
        }, iter: 300);
    }

    [Fact]
    public void Signed_header_verifies_and_binds_every_signed_byte()
    {
        Gen.Select(PartitionGen.Release, Gen.Byte.Array[32]).Sample((release, hash) =>
        {
            PartitionHeader header = PartitionHeader.CreateSigned(release, 12345, hash, TestKeys.Ed25519);
            Assert.True(header.VerifySignature(TestKeys.Ed25519.PublicKey));
            Assert.False(header.VerifySignature(TestKeys.OtherEd25519.PublicKey));
            Assert.Equal(PartitionHeader.BuildSignedBytes(release, 12345, hash, TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519), header.SignedBytes.ToArray());
        }, iter: 50);
    }

    [Fact]
    public void Field_offsets_are_those_of_the_format_document()
    {
        var release = new PartitionRelease("boot", "rel-1", "1.2.3", 7, "board-x");
        byte[] hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        PartitionHeader header = PartitionHeader.CreateSigned(release, 0x0102030405, hash, TestKeys.Ed25519);
        byte[] b = header.ToArray();
        Assert.Equal("RSIMPHDR"u8.ToArray(), b[0..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)));
        Assert.Equal(4096, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(10)));
        Assert.Equal("boot\0"u8.ToArray(), b[16..21]);
        Assert.Equal("rel-1\0"u8.ToArray(), b[48..54]);
        Assert.Equal("1.2.3\0"u8.ToArray(), b[112..118]);
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(176)));
        Assert.Equal("board-x\0"u8.ToArray(), b[184..192]);
        Assert.Equal(0x0102030405UL, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(248)));
        Assert.Equal(hash, b[256..288]);
        Assert.Equal(TestKeys.Ed25519.KeyId.ToArray(), b[288..304]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(304)));
        Assert.Equal(64, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(320)));
        Assert.Equal(header.Signature.ToArray(), b[328..392]);
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(b.AsSpan(0, 4092)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4092)));
    }

    [Fact]
    public void Random_bytes_give_typed_errors_only()
    {
        Gen.Byte.Array[0, PartitionHeader.Size + 10].Sample(bytes =>
        {
            var e = Assert.Throws<ImageFormatException>(() => PartitionHeader.Parse(bytes));
            Assert.NotNull(e.Field);
        }, iter: 300);
    }

    [Fact]
    public void Every_single_bit_flip_is_caught()
    {
        // A flip anywhere breaks the magic or the CRC32 (CRC32 detects every 1-bit error).
        PartitionHeader header = PartitionHeader.CreateSigned(new PartitionRelease("system", "r", "v", 1, "b"), 10, new byte[32], TestKeys.Ed25519);
        Gen.Int[0, PartitionHeader.Size * 8 - 1].Sample(bit =>
        {
            byte[] b = header.ToArray();
            b[bit / 8] ^= (byte)(1 << (bit % 8));
            var e = Assert.Throws<ImageFormatException>(() => PartitionHeader.Parse(b));
            Assert.Contains(e.Field, new[] { "magic", "crc32" });
        }, iter: 500);
    }

    [Fact]
    public void Mutated_fields_with_a_fixed_crc_give_the_field_name()
    {
        // Mutate bytes and recompute the CRC so parsing gets past it: every failure is still typed.
        PartitionHeader header = PartitionHeader.CreateSigned(new PartitionRelease("vendor", "r1", "1.0", 3, "b1"), 10, new byte[32], TestKeys.Ecdsa);
        Gen.Select(Gen.Int[8, PartitionHeader.Size - 5], Gen.Byte).Array[1, 8].Sample(mutations =>
        {
            byte[] b = header.ToArray();
            foreach ((int at, byte value) in mutations)
            {
                b[at] = value;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4092), System.IO.Hashing.Crc32.HashToUInt32(b.AsSpan(0, 4092)));
            try
            {
                PartitionHeader parsed = PartitionHeader.Parse(b);
                Assert.Equal(b, parsed.RawBytes.ToArray());
            }
            catch (ImageFormatException e)
            {
                Assert.NotNull(e.Field);
                Assert.NotEqual("crc32", e.Field);
            }
        }, iter: 1000);
    }

    [Theory]
    [InlineData(8, 2, "format_version")]
    [InlineData(11, 0, "header_size")]
    [InlineData(12, 1, "flags")]
    [InlineData(16, 0, "partition_name")]
    [InlineData(47, 0x41, "partition_name")]
    [InlineData(304, 9, "signature_algorithm")]
    [InlineData(310, 1, "reserved")]
    [InlineData(321, 2, "signature_length")]
    [InlineData(1000, 1, "reserved")]
    public void Specific_field_errors_name_the_field(int offset, byte value, string field)
    {
        byte[] b = PartitionHeader.CreateSigned(new PartitionRelease("boot", "r", "v", 1, "b"), 10, new byte[32], TestKeys.Ed25519).ToArray();
        b[offset] = value;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4092), System.IO.Hashing.Crc32.HashToUInt32(b.AsSpan(0, 4092)));
        var e = Assert.Throws<ImageFormatException>(() => PartitionHeader.Parse(b, "boot_a"));
        Assert.Equal(field, e.Field);
        Assert.StartsWith("boot_a: partition header", e.Message);
    }

    [Fact]
    public void Bad_release_values_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => new PartitionRelease("Boot", "r", "v", 0, "b"));
        Assert.Throws<ArgumentException>(() => new PartitionRelease("../x", "r", "v", 0, "b"));
        Assert.Throws<ArgumentException>(() => new PartitionRelease("boot", "r/1", "v", 0, "b"));
        Assert.Throws<ArgumentException>(() => new PartitionRelease("boot", "r", " v", 0, "b"));
        Assert.Throws<ArgumentException>(() => new PartitionRelease("boot", "r", "v", 0, new string('b', 64)));
    }
}
