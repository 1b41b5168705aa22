using System.Formats.Tar;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.GoldenImage.Tests.Bundle;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Delta packages: built from two golden images, verified, applied from the source image with both hashes checked.</summary>
public class DeltaPackageTests
{
    private static readonly byte[] System1 = Bundles.Payload(2, 60_000);

    /// <summary>Release 1: boot, system, vendor.</summary>
    private static readonly byte[] Old = Bundles.Build([("boot", Bundles.Payload(1, 3000)), ("system", System1), ("vendor", Bundles.Payload(3, 700))], release: "rel-1", version: "1.0");

    /// <summary>Release 2: system with a few changes and an insertion, boot unrelated (a full member wins), vendor unchanged.</summary>
    private static readonly byte[] New = Bundles.Build(
        [("boot", Bundles.Payload(11, 3000)), ("system", [.. System1.AsSpan(0, 30_000), .. "inserted"u8, .. System1.AsSpan(30_000)]), ("vendor", Bundles.Payload(3, 700))],
        release: "rel-2", version: "2.0", rollback: 6);

    [Fact]
    public async Task Applying_each_partition_to_the_source_image_gives_the_target_image()
    {
        (byte[] package, GoldenImageManifest written) = await BuildAsync(Old, New);
        VerifiedDeltaPackage verified = await DeltaPackageReader.OpenAsync(new MemoryStream(package, writable: false), Bundles.Options());
        Assert.Equal(written, verified.Manifest);
        Assert.Equal(new DeltaSourceRelease("rel-1", "1.0"), verified.Manifest.Source);
        Assert.Equal("rel-2", verified.Manifest.ReleaseId);
        Dictionary<string, byte[]> sources = Images(Old), targets = Images(New);
        foreach (ManifestPartition p in verified.Manifest.Partitions)
        {
            var target = new MemoryStream();
            PartitionHeader header = await verified.ApplyAsync(p.Name, new MemoryStream(sources[p.Name], writable: false), target);
            Assert.Equal(targets[p.Name], target.ToArray());
            Assert.Equal(p.Name, header.PartitionName);
            Assert.Equal("rel-2", header.ReleaseId);
        }

        Assert.Equal(DeltaMemberKind.Patch, verified.Manifest.Find("system")!.Delta!.Kind);
        Assert.Equal(PartitionCompression.Bsdiff40, verified.Manifest.Find("system")!.Compression);
        Assert.Equal(DeltaMemberKind.Full, verified.Manifest.Find("boot")!.Delta!.Kind);
        Assert.True(verified.Manifest.Find("system")!.CompressedSize < 2000, $"system patch of {verified.Manifest.Find("system")!.CompressedSize} bytes");
    }

    [Fact]
    public async Task The_package_is_a_tar_with_the_manifest_first_then_the_signature_and_one_member_per_partition()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        Assert.Equal(["manifest.json", "manifest.sig", "boot.img.zst", "system.img.bsdiff", "vendor.img.bsdiff"], Bundles.Members(package).Select(m => m.Name));
        GoldenImageManifest m = GoldenImageManifest.Parse(Bundles.Members(package)[0].Data);
        Assert.True(m.IsDeltaPackage);
        Assert.Equal(Images(Old)["system"].Length, m.Find("system")!.Delta!.SourceSize);
    }

    [Fact]
    public async Task A_source_that_is_not_the_packages_is_refused_before_a_byte_is_written()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        VerifiedDeltaPackage verified = await DeltaPackageReader.OpenAsync(new MemoryStream(package, writable: false), Bundles.Options());
        byte[] wrong = Images(New)["system"];
        var target = new MemoryStream();
        ImagePolicyException e = await Assert.ThrowsAsync<ImagePolicyException>(() => verified.ApplyAsync("system", new MemoryStream(wrong), target));
        Assert.Equal("source_sha256", e.Field);
        Assert.Contains("rel-1", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, target.Length);
    }

    [Fact]
    public async Task A_source_slot_longer_than_the_image_is_read_only_to_the_source_size()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        VerifiedDeltaPackage verified = await DeltaPackageReader.OpenAsync(new MemoryStream(package, writable: false), Bundles.Options());
        byte[] slot = [.. Images(Old)["system"], .. new byte[10_000]];
        var target = new MemoryStream();
        await verified.ApplyAsync("system", new MemoryStream(slot), target);
        Assert.Equal(Images(New)["system"], target.ToArray());
    }

    [Fact]
    public async Task A_golden_image_is_not_a_delta_package_and_a_delta_package_is_not_a_golden_image()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        ImageFormatException a = await Assert.ThrowsAsync<ImageFormatException>(() => DeltaPackageReader.OpenAsync(new MemoryStream(Old), Bundles.Options()));
        Assert.Equal("format", a.Field);
        ImageFormatException b = Assert.Throws<ImageFormatException>(() => Bundles.Read(package));
        Assert.Equal("format", b.Field);
    }

    [Fact]
    public async Task A_package_signed_by_an_untrusted_key_is_refused_before_any_member_is_read()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        await Assert.ThrowsAsync<SignatureException>(() => DeltaPackageReader.OpenAsync(new MemoryStream(package), Bundles.Options(TestKeys.OtherEd25519)));
    }

    [Fact]
    public async Task A_member_of_another_size_or_content_than_the_manifest_says_is_refused()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        List<(string Name, byte[] Data, TarEntryType Type)> members = Bundles.Members(package);
        byte[] flipped = (byte[])members[3].Data.Clone();
        flipped[^1] ^= 1;
        ImageFormatException hash = await Assert.ThrowsAsync<ImageFormatException>(() => DeltaPackageReader.OpenAsync(
            new MemoryStream(Bundles.Tar([.. members.Take(3), (members[3].Name, flipped, members[3].Type), .. members.Skip(4)])), Bundles.Options()));
        Assert.Equal("compressed_sha256", hash.Field);
        ImageFormatException size = await Assert.ThrowsAsync<ImageFormatException>(() => DeltaPackageReader.OpenAsync(
            new MemoryStream(Bundles.Tar([.. members.Take(3), (members[3].Name, [.. members[3].Data, 0], members[3].Type), .. members.Skip(4)])), Bundles.Options()));
        Assert.Equal("compressed_size", size.Field);
    }

    [Fact]
    public async Task Mutated_packages_give_an_image_exception_or_apply_to_the_target()
    {
        (byte[] package, _) = await BuildAsync(Old, New);
        Dictionary<string, byte[]> sources = Images(Old), targets = Images(New);
        Fuzz.Mutated(package).Sample(bytes =>
        {
            Exception? e = Record.Exception(() =>
            {
                VerifiedDeltaPackage verified = DeltaPackageReader.OpenAsync(new MemoryStream(bytes, writable: false), Bundles.Options()).GetAwaiter().GetResult();
                foreach (ManifestPartition p in verified.Manifest.Partitions)
                {
                    var target = new MemoryStream();
                    verified.ApplyAsync(p.Name, new MemoryStream(sources[p.Name]), target).GetAwaiter().GetResult();
                    Assert.Equal(targets[p.Name], target.ToArray());
                }
            });
            Assert.True(e is null or ImageException, e?.ToString());
        }, seed: Fuzz.Seed(2301), iter: 300);
    }

    [Fact]
    public async Task The_package_must_be_signed_by_the_key_of_the_target_release()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => BuildAsync(Old, New, TestKeys.OtherEd25519,
            new TrustedKeySet(TestKeys.Ed25519.PublicKey, TestKeys.OtherEd25519.PublicKey)));
        Assert.Contains("key_id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_manifest_round_trips_and_its_fields_are_refused_in_a_golden_image()
    {
        var m = new GoldenImageManifest(["b"], "rel-2", "2.0", 3, TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519,
            [new ManifestPartition("system", "system.img.bsdiff", 8192, PartitionCompression.Bsdiff40, 300, new string('a', 64), new string('b', 64))
            { Delta = new PartitionDelta(DeltaMemberKind.Patch, 9000, new string('c', 64)) }], new DeltaSourceRelease("rel-1", "1.0"));
        Assert.Equal(m, GoldenImageManifest.Parse(m.ToJson()));
        string json = System.Text.Encoding.UTF8.GetString(m.ToJson()).Replace(GoldenImageManifest.DeltaFormatName, GoldenImageManifest.FormatName, StringComparison.Ordinal);
        ImageFormatException e = Assert.Throws<ImageFormatException>(() => GoldenImageManifest.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Equal("partitions[0].kind", e.Field);
        Assert.Contains(GoldenImageManifest.DeltaFormatName, e.Message, StringComparison.Ordinal);
    }

    private static async Task<(byte[], GoldenImageManifest)> BuildAsync(byte[] from, byte[] to, SigningKey? key = null, TrustedKeySet? trusted = null)
    {
        using var output = new MemoryStream();
        GoldenImageManifest manifest = await DeltaPackageWriter.WriteAsync(new DeltaPackageBuildOptions
        {
            Key = key ?? TestKeys.Ed25519,
            OpenSource = () => new MemoryStream(from, writable: false),
            OpenTarget = () => new MemoryStream(to, writable: false),
            TrustedKeys = trusted,
            MaxParallelism = 2,
        }, output);
        return (output.ToArray(), manifest);
    }

    private static Dictionary<string, byte[]> Images(byte[] golden) => Bundles.Read(golden).Written;
}
