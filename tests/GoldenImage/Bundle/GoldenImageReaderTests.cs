using System.Security.Cryptography;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Tests.Bundle;

public class GoldenImageReaderTests
{
    private static readonly Gen<(string, byte[])[]> Partitions =
        Gen.Select(Gen.Int[1, 3], Gen.Int[0, 200_000].Array[3], Gen.Int)
            .Select((count, sizes, seed) => new[] { "boot", "system", "vendor" }.Take(count)
                .Select((name, i) => (name, Bundles.Payload(seed + i, sizes[i] % (i == 1 ? 200_000 : 40_000)))).ToArray());

    [Fact]
    public void Built_images_read_back_byte_for_byte_through_small_unseekable_reads()
    {
        Gen.Select(Partitions, Gen.Bool, Gen.Int[1, 70_000]).Sample((partitions, zstd, maxRead) =>
        {
            var compression = zstd ? PartitionCompression.Zstd : PartitionCompression.None;
            byte[] archive = Bundles.Build(partitions, compression: compression);
            (VerifiedGoldenImage image, Dictionary<string, byte[]> written) = Bundles.Read(archive, maxRead: maxRead);
            Assert.Equal(partitions.Length, image.Manifest.Partitions.Count);
            foreach (((string name, byte[] payload), PartitionHeader header) in partitions.Zip(image.Headers))
            {
                byte[] got = written[name];
                Assert.Equal(header.RawBytes.ToArray(), got[..PartitionHeader.Size]);
                Assert.Equal(payload, got[PartitionHeader.Size..]);
                Assert.Equal(SHA256.HashData(payload), header.PayloadSha256.ToArray());
                Assert.Equal(name, header.PartitionName);
                Assert.True(header.VerifySignature(TestKeys.Ed25519.PublicKey));
                ManifestPartition p = image.Manifest.Find(name)!;
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(got)), p.Sha256);
                Assert.Equal(ManifestPartition.MemberNameFor(name, compression), p.Member);
            }
        }, iter: 12);
    }

    [Fact]
    public void Builds_are_reproducible()
    {
        Assert.Equal(Bundles.Standard(PartitionCompression.Zstd), Bundles.Standard(PartitionCompression.Zstd));
    }

    [Theory]
    [InlineData(SignatureAlgorithm.Ed25519)]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.RsaPss3072Sha256)]
    public void Every_algorithm_signs_a_readable_image(SignatureAlgorithm algorithm)
    {
        SigningKey key = TestKeys.For(algorithm);
        (VerifiedGoldenImage image, _) = Bundles.Read(Bundles.Standard(key: key), Bundles.Options(key));
        Assert.Equal(key.KeyId, image.SigningKey.KeyId);
        Assert.Equal(algorithm, image.Manifest.SignatureAlgorithm);
    }

    [Fact]
    public void Manifest_is_verified_before_the_first_partition_is_opened()
    {
        var order = new List<string>();
        Read(Bundles.Standard(), Bundles.Options(), order);
        Assert.Equal(["manifest", "open boot", "verified boot", "open system", "verified system", "open vendor", "verified vendor"], order);
    }

    [Fact]
    public void Wrong_key_unknown_key_board_and_rollback_are_refused_before_any_partition()
    {
        byte[] archive = Bundles.Standard();
        var order = new List<string>();

        var wrong = Assert.Throws<SignatureException>(() => Read(archive, new GoldenImageReadOptions(new TrustedKeySet(TestKeys.OtherEd25519.PublicKey)), order));
        Assert.Contains("not trusted", wrong.Message);
        Assert.Contains(TestKeys.Ed25519.KeyId.ToString(), wrong.Message);

        var board = Assert.Throws<ImagePolicyException>(() => Read(archive, Bundles.Options() with { BoardId = "board-2" }, order));
        Assert.Equal("board_ids", board.Field);
        Assert.Contains("board-2", board.Message);

        var rollback = Assert.Throws<ImagePolicyException>(() => Read(archive, Bundles.Options() with { MinimumRollbackIndex = 6 }, order));
        Assert.Equal("rollback_index", rollback.Field);
        Assert.Contains("5", rollback.Message);
        Assert.Contains("6", rollback.Message);
        Assert.Empty(order);

        Read(archive, Bundles.Options() with { MinimumRollbackIndex = 5 }, order);
        Assert.NotEmpty(order);
    }

    [Fact]
    public void Altered_manifest_with_the_trusted_key_id_says_so()
    {
        var members = Bundles.Members(Bundles.Standard());
        byte[] json = members[0].Data;
        json[json.Length - 3] = (byte)' ';
        members[0] = (members[0].Name, json, members[0].Type);
        var e = Assert.Throws<SignatureException>(() => Bundles.Read(Bundles.Tar([.. members])));
        Assert.Contains("altered", e.Message);
    }

    private static void Read(byte[] archive, GoldenImageReadOptions options, List<string> order) =>
        GoldenImageReader.ReadAsync(new MemoryStream(archive), options, new OrderSink(order)).GetAwaiter().GetResult();

    [Fact]
    public async Task A_buffered_local_file_gives_up_its_handle_once_before_the_parallel_verification()
    {
        // The getter of FileStream.SafeFileHandle flushes a buffered stream's read buffer and
        // moves its position. Taken inside each verification task, it raced with the tar walk on
        // the same stream and, about once in a thousand reads, the walk read a header or the
        // padding at the wrong offset. It must be taken once, while nothing else uses the stream.
        string path = Path.Combine(Path.GetTempPath(), $"recoverysim-reader-{Guid.NewGuid():N}.golden");
        try
        {
            await File.WriteAllBytesAsync(path, Bundles.Standard());
            for (int round = 0; round < 20; round++)
            {
                using var file = new WatchedFileStream(path);
                VerifiedGoldenImage image = await GoldenImageReader.ReadAsync(file, Bundles.Options());

                Assert.Equal(3, image.Headers.Count);
                Assert.Equal(1, file.HandleTaken);
                Assert.Equal(0, file.HandleTakenDuringARead);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A buffered read-only FileStream that counts who takes its handle, and when.</summary>
    private sealed class WatchedFileStream(string path) : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)
    {
        private int reading;
        private int handleTaken;
        private int handleTakenDuringARead;

        public int HandleTaken => Volatile.Read(ref handleTaken);

        public int HandleTakenDuringARead => Volatile.Read(ref handleTakenDuringARead);

        public override Microsoft.Win32.SafeHandles.SafeFileHandle SafeFileHandle
        {
            get
            {
                Interlocked.Increment(ref handleTaken);
                if (Volatile.Read(ref reading) > 0)
                {
                    Interlocked.Increment(ref handleTakenDuringARead);
                }

                return base.SafeFileHandle;
            }
        }

        public override int Read(Span<byte> buffer)
        {
            Interlocked.Increment(ref reading);
            try
            {
                return base.Read(buffer);
            }
            finally
            {
                Interlocked.Decrement(ref reading);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref reading);
            try
            {
                return await base.ReadAsync(buffer, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref reading);
            }
        }
    }

    private sealed class OrderSink(List<string> order) : GoldenImageSink
    {
        public override ValueTask OnManifestVerifiedAsync(GoldenImageManifest manifest, CancellationToken cancel)
        {
            order.Add("manifest");
            return ValueTask.CompletedTask;
        }

        public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
        {
            order.Add("open " + partition.Name);
            return ValueTask.FromResult<Stream?>(Stream.Null);
        }

        public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
        {
            order.Add("verified " + partition.Name);
            return ValueTask.CompletedTask;
        }
    }
}
