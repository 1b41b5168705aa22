using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.GoldenImage.Tests.Bundle;
using RecoverySim.GoldenImage.Tests.Partitions;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests;

/// <summary>Mutation fuzzing of the golden-image parsers (issue 14 part 4), and the corpus of inputs that found bugs.</summary>
public class GoldenImageFuzzTests
{
    private static readonly byte[][] Manifests =
    [
        new GoldenImageManifest(["board-1", "board-2"], "rel-1", "1.0+build.7", 5, TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519,
            [new ManifestPartition("boot", "boot.img", 8192, PartitionCompression.None, 8192, new string('a', 64), new string('a', 64)),
             new ManifestPartition("system", "system.img.zst", 1 << 20, PartitionCompression.Zstd, 5000, new string('b', 64), new string('c', 64))]).ToJson(),
        new GoldenImageManifest(["b"], "r", "2", ulong.MaxValue, TestKeys.Ecdsa.KeyId, SignatureAlgorithm.EcdsaP256Sha256,
            [new ManifestPartition("vendor", "vendor.img", 4096, PartitionCompression.None, 4096, new string('d', 64), new string('d', 64))]).ToJson(),
    ];

    private static readonly byte[] Plain = Bundles.Standard();

    private static readonly byte[] Compressed = Bundles.Standard(PartitionCompression.Zstd);

    public static TheoryData<string, byte[]> ManifestCorpus => Corpus.Of("manifest");

    public static TheoryData<string, byte[]> GoldenImageCorpus => Corpus.Of("golden-image");

    [Fact]
    public void Manifest_parse_gives_an_image_format_exception_or_a_manifest_that_writes_back() =>
        Fuzz.Check(1401, Fuzz.Mutated(Manifests), bytes =>
        {
            GoldenImageManifest m = GoldenImageManifest.Parse(bytes);
            Assert.Equal(m, GoldenImageManifest.Parse(m.ToJson()));
        }, typeof(ImageFormatException));

    [Fact]
    public void Partition_header_parse_gives_an_image_format_exception_or_a_header()
    {
        byte[][] headers = [.. PartitionGen.Header.Array[4].Single(_ => true, Fuzz.Seed(1402)).Select(h => h.RawBytes.ToArray())];
        Fuzz.Check(1403, Fuzz.Mutated(headers), bytes =>
        {
            PartitionHeader h = PartitionHeader.Parse(bytes);
            Assert.True(h.RawBytes.Span.SequenceEqual(bytes.AsSpan(0, PartitionHeader.Size)));
        }, typeof(ImageFormatException));
    }

    [Fact]
    public void Golden_image_read_gives_an_image_exception_or_the_verified_image()
    {
        // The ustar headers, the manifest and its signature, and the members, mutated in whole archives.
        Gen<byte[]> archives = Fuzz.Mutated(Plain, Compressed);
        archives.Sample(bytes =>
        {
            Exception? e = Record.Exception(() => Bundles.Read(bytes));
            Assert.True(e is null or ImageException, e?.ToString());
            Assert.DoesNotContain('\n', e?.Message ?? "");
        }, seed: Fuzz.Seed(1404), iter: 400);
    }

    [Theory]
    [MemberData(nameof(ManifestCorpus))]
    public void Corpus_manifests_are_refused(string file, byte[] bytes)
    {
        var e = Assert.Throws<ImageFormatException>(() => GoldenImageManifest.Parse(bytes));
        Assert.Matches(@"^manifest\.json: \$[^ ]*: expected .+, found .+$", e.Message);
        Assert.False(string.IsNullOrEmpty(file));
    }

    [Theory]
    [MemberData(nameof(GoldenImageCorpus))]
    public void Corpus_golden_images_are_refused(string file, byte[] bytes)
    {
        Exception? e = Record.Exception(() => Bundles.Read(bytes));
        Assert.True(e is ImageFormatException, $"{file}: {e?.ToString() ?? "accepted"}");
        Assert.DoesNotContain('\n', e!.Message);
    }
}
