using System.Security.Cryptography;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.GoldenImage;

/// <summary>Golden images signed with openssl keys, listed and unpacked by GNU tar, checked by openssl and zstd.</summary>
public class GoldenImageTarInteropTests(OpensslKeys keys) : IClassFixture<OpensslKeys>
{
    private static readonly (string Name, byte[] Payload)[] Payloads =
        [("boot", Bytes(1, 70_000)), ("system", Bytes(2, 600_000)), ("vendor", new byte[30_000])];

    public static TheoryData<SignatureAlgorithm, bool> Cases => new()
    {
        { SignatureAlgorithm.Ed25519, false },
        { SignatureAlgorithm.Ed25519, true },
        { SignatureAlgorithm.EcdsaP256Sha256, false },
        { SignatureAlgorithm.RsaPss3072Sha256, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Tar_lists_unpacks_and_openssl_verifies_a_golden_image_signed_with_an_openssl_key(SignatureAlgorithm algorithm, bool compress)
    {
        string name = $"{SignatureAlgorithmNames.ToName(algorithm)}-{(compress ? "zst" : "plain")}";
        SigningKey key = SigningKey.Load(keys.Private[algorithm]);
        string golden = keys.PathOf(name + ".golden");
        await using (var output = File.Create(golden))
        {
            await GoldenImageWriter.WriteAsync(new GoldenImageBuildOptions
            {
                Key = key,
                BoardIds = ["board-1"],
                Version = "3.0",
                RollbackIndex = 9,
                Partitions = [.. Payloads.Select(p => new GoldenImagePartitionSource(p.Name, () => new MemoryStream(p.Payload)))],
                Compression = compress ? PartitionCompression.Zstd : PartitionCompression.None,
            }, output);
        }

        // tar tvf lists the members in order, as regular files.
        string suffix = compress ? ".img.zst" : ".img";
        PeerResult listing = OpensslKeys.Run(keys.Tar, "tvf", golden);
        string[] lines = listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["manifest.json", "manifest.sig", "boot" + suffix, "system" + suffix, "vendor" + suffix], lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToArray());
        Assert.All(lines, l => Assert.StartsWith("-rw-r--r--", l));

        // GNU tar unpacks it; openssl checks manifest.sig over the exact manifest.json bytes.
        string unpacked = keys.PathOf(name);
        Directory.CreateDirectory(unpacked);
        OpensslKeys.Run(keys.Tar, "xf", golden, "-C", unpacked);
        string manifestPath = Path.Combine(unpacked, "manifest.json");
        PeerResult verified = OpensslKeys.Try(keys.Openssl, keys.VerifyArgs(algorithm, keys.Public[algorithm], manifestPath, Path.Combine(unpacked, "manifest.sig")));
        Assert.True(verified.ExitCode == 0, verified.ToString());

        GoldenImageManifest manifest = GoldenImageManifest.Parse(File.ReadAllBytes(manifestPath));
        Assert.Equal(key.KeyId, manifest.KeyId);
        foreach ((string partition, byte[] payload) in Payloads)
        {
            ManifestPartition entry = manifest.Find(partition)!;
            string image = Path.Combine(unpacked, entry.Member);
            if (compress)
            {
                string zstd = PeerTool.Find("zstd", "zstd");
                OpensslKeys.Run(zstd, "-q", "-d", image, "-o", Path.Combine(unpacked, partition + ".img"));
                image = Path.Combine(unpacked, partition + ".img");
            }

            // openssl's SHA-256 of the unpacked image is the manifest's.
            PeerResult digest = OpensslKeys.Run(keys.Openssl, "dgst", "-sha256", "-r", image);
            Assert.Equal(entry.Sha256, digest.StandardOutput.Split(' ')[0]);

            byte[] bytes = File.ReadAllBytes(image);
            Assert.Equal(payload, bytes[PartitionHeader.Size..]);
            PartitionHeader header = PartitionHeader.Parse(bytes);
            Assert.True(header.VerifySignature(VerificationKey.Load(keys.Public[algorithm])));
        }

        // And our reader accepts what it wrote, with the openssl public key as the trusted key.
        await using var input = File.OpenRead(golden);
        VerifiedGoldenImage read = await GoldenImageReader.ReadAsync(input, new GoldenImageReadOptions(new TrustedKeySet(VerificationKey.Load(keys.Public[algorithm]))) { BoardId = "board-1" });
        Assert.Equal(3, read.Headers.Count);
    }

    [Fact]
    public async Task Tar_made_by_gnu_tar_from_the_same_members_is_refused_unless_strict_ustar()
    {
        // GNU tar's default format writes GNU headers (magic "ustar  "): our reader accepts only
        // the strict POSIX ustar it writes, and says so.
        string dir = keys.PathOf("gnu");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), "{}");
        string archive = keys.PathOf("gnu.tar");
        OpensslKeys.Run(keys.Tar, "--format=gnu", "-cf", archive, "-C", dir, "manifest.json");
        await using var input = File.OpenRead(archive);
        var e = await Assert.ThrowsAnyAsync<RecoverySim.GoldenImage.ImageFormatException>(() =>
            GoldenImageReader.ReadAsync(input, new GoldenImageReadOptions(TrustedKeySet.Empty)));
        Assert.Contains("ustar", e.Message);
    }

    private static byte[] Bytes(int seed, int length)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
