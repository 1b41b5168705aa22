using System.Buffers.Binary;
using System.Security.Cryptography;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Tests.Partitions;

public class PartitionImageVerifierTests
{
    private static readonly PartitionRelease Release = new("boot", "rel-7", "7.0", 5, "board-1");

    private static PartitionVerificationPolicy Policy(ulong minimum = 5) =>
        new(new TrustedKeySet(TestKeys.Ed25519.PublicKey, TestKeys.Rsa.PublicKey), "board-1", minimum) { PartitionName = "boot" };

    /// <summary>Payload bytes from a fixed seed, so a failure replays.</summary>
    private static byte[] Payload(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Image(byte[] payload, SigningKey? key = null, PartitionRelease? release = null)
    {
        using var output = new MemoryStream();
        PartitionImageWriter.Write(new MemoryStream(payload), release ?? Release, key ?? TestKeys.Ed25519, output);
        return output.ToArray();
    }

    private static PartitionVerificationResult Verify(byte[] image, PartitionVerificationPolicy? policy = null) =>
        PartitionImageVerifier.VerifyImage(new MemoryStream(image), policy ?? Policy());

    [Fact]
    public void Valid_image_passes_sync_and_async()
    {
        Gen.Byte.Array[0, 3 << 20].Sample(payload =>
        {
            byte[] image = Image(payload);
            Assert.Equal(PartitionHeader.Size + payload.Length, image.Length);
            PartitionVerificationResult result = Verify(image);
            Assert.True(result.IsValid, result.Message);
            Assert.Equal(SHA256.HashData(payload), result.Header!.Value.PayloadSha256.ToArray());
            PartitionVerificationResult async = PartitionImageVerifier.VerifyImageAsync(new MemoryStream(image), Policy()).GetAwaiter().GetResult();
            Assert.True(async.IsValid, async.Message);
        }, iter: 15);
    }

    [Fact]
    public void Writer_with_unseekable_payload_writes_the_same_image()
    {
        byte[] payload = Payload(1_500_000, seed: 1);
        using var output = new MemoryStream();
        PartitionHeader header = PartitionImageWriter.Write(new UnseekableStream(new MemoryStream(payload)), Release, TestKeys.Ed25519, output);
        Assert.Equal(Image(payload), output.ToArray());
        Assert.Equal((ulong)payload.Length, header.PayloadLength);
    }

    [Fact]
    public void Each_check_gives_its_own_reason()
    {
        byte[] payload = Payload(5000, seed: 2);
        byte[] good = Image(payload);

        Assert.Equal(PartitionRejection.Truncated, Verify(good[..100]).Reason);
        Assert.Equal(PartitionRejection.Truncated, Verify(good[..^1]).Reason);
        Assert.Equal(PartitionRejection.NoHeader, Verify(new byte[8192]).Reason);

        byte[] crc = (byte[])good.Clone();
        crc[2000] ^= 1;
        Assert.Equal(PartitionRejection.HeaderCrc, Verify(crc).Reason);

        byte[] field = (byte[])good.Clone();
        field[8] = 9;
        BinaryPrimitives.WriteUInt32LittleEndian(field.AsSpan(4092), System.IO.Hashing.Crc32.HashToUInt32(field.AsSpan(0, 4092)));
        Assert.Equal(PartitionRejection.Field, Verify(field).Reason);

        Assert.Equal(PartitionRejection.Field, Verify(good, Policy() with { MaxPayloadLength = 4999 }).Reason);
        Assert.Equal(PartitionRejection.PartitionName, Verify(good, Policy() with { PartitionName = "system" }).Reason);
        Assert.Equal(PartitionRejection.BoardId, Verify(good, Policy() with { BoardId = "board-2" }).Reason);
        Assert.Equal(PartitionRejection.ReleaseId, Verify(good, Policy() with { ReleaseId = "rel-8" }).Reason);
        Assert.Equal(PartitionRejection.UnknownKey, Verify(Image(payload, TestKeys.OtherEd25519)).Reason);

        // A forged signature over a changed field, CRC recomputed: only the signature catches it.
        byte[] forged = (byte[])good.Clone();
        forged[176] = 99; // rollback index
        BinaryPrimitives.WriteUInt32LittleEndian(forged.AsSpan(4092), System.IO.Hashing.Crc32.HashToUInt32(forged.AsSpan(0, 4092)));
        PartitionVerificationResult sig = Verify(forged);
        Assert.Equal(PartitionRejection.Signature, sig.Reason);
        Assert.Equal(99UL, sig.Header!.Value.RollbackIndex);

        Assert.Equal(PartitionRejection.Rollback, Verify(good, Policy(6)).Reason);
        Assert.True(Verify(good, Policy(5)).IsValid);

        byte[] body = (byte[])good.Clone();
        body[^1] ^= 0x80;
        PartitionVerificationResult hash = Verify(body);
        Assert.Equal(PartitionRejection.PayloadHash, hash.Reason);
        Assert.Contains("SHA-256", hash.Message);
    }

    [Fact]
    public void Rsa_signed_image_verifies()
    {
        byte[] image = Image(Payload(100, seed: 3), TestKeys.Rsa);
        Assert.True(Verify(image).IsValid);
    }

    [Fact]
    public void Any_bit_flip_of_a_small_image_is_rejected()
    {
        byte[] good = Image(Payload(3000, seed: 4));
        Gen.Int[0, good.Length * 8 - 1].Sample(bit =>
        {
            byte[] b = (byte[])good.Clone();
            b[bit / 8] ^= (byte)(1 << (bit % 8));
            PartitionVerificationResult r = Verify(b);
            Assert.False(r.IsValid);
            Assert.NotEqual(PartitionRejection.None, r.Reason);
        }, iter: 300);
    }

    [Fact]
    public void Random_images_are_rejected_without_exceptions()
    {
        Gen.Byte.Array[0, 9000].Sample(bytes => Assert.False(Verify(bytes).IsValid), iter: 300);
    }
}
