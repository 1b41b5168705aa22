using System.Text.Json;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Cli.Tests.Image;

/// <summary><c>image delta</c>, <c>image inspect</c> of a delta package, and the hidden <c>image bsdiff|bspatch</c>.</summary>
public class ImageDeltaCommandsTests(ImageCliFixture fixture) : IClassFixture<ImageCliFixture>
{
    private (string From, string To) Releases()
    {
        string from = fixture.PathOf("delta-from.golden"), to = fixture.PathOf("delta-to.golden");
        if (!File.Exists(to))
        {
            // The target's system payload: the fixture's with 64 bytes changed and 100 inserted.
            byte[] system = File.ReadAllBytes(fixture.SystemPayload);
            system.AsSpan(700_000, 64).Fill(0x5A);
            string changed = fixture.PathOf("delta-system.bin");
            File.WriteAllBytes(changed, [.. system.AsSpan(0, 1000), .. new byte[100], .. system.AsSpan(1000)]);
            Assert.Equal(0, fixture.Build(from).ExitCode);
            CliRun build = ImageCliFixture.Run("image", "build", "--key", fixture.PrivateKey, "--board", "board-7", "--version", "2.2", "--rollback-index", "5",
                "--boot", fixture.BootPayload, "--system", changed, "--vendor", fixture.VendorPayload, "-o", to);
            Assert.True(build.ExitCode == 0, build.ToString());
        }

        return (from, to);
    }

    [Fact]
    public async Task Delta_writes_a_package_that_verifies_and_rebuilds_every_target_partition()
    {
        (string from, string to) = Releases();
        string package = fixture.PathOf("cli.delta");
        CliRun run = ImageCliFixture.Run("image", "delta", "--from", from, "--to", to, "--key", fixture.PrivateKey, "-o", package);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("system.img.bsdiff", run.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(fixture.Root, "*.tmp"));

        var trusted = new TrustedKeySet(VerificationKey.Load(fixture.PublicKey));
        await using FileStream stream = File.OpenRead(package);
        VerifiedDeltaPackage verified = await DeltaPackageReader.OpenAsync(stream, new GoldenImageReadOptions(trusted) { BoardId = "board-7" });
        Assert.Equal("2.2", verified.Manifest.Version);
        Assert.Equal("2.1", verified.Manifest.Source!.Version);
        Dictionary<string, byte[]> sources = await ImagesAsync(from, trusted), targets = await ImagesAsync(to, trusted);
        foreach (ManifestPartition p in verified.Manifest.Partitions)
        {
            var target = new MemoryStream();
            await verified.ApplyAsync(p.Name, new MemoryStream(sources[p.Name]), target);
            Assert.Equal(targets[p.Name], target.ToArray());
        }

        Assert.True(new FileInfo(package).Length < 20_000, $"a {new FileInfo(package).Length}-byte package for 164 changed bytes");
    }

    [Fact]
    public void Inspect_shows_a_delta_package_with_its_source_and_patches()
    {
        (string from, string to) = Releases();
        string package = fixture.PathOf("inspect.delta");
        Assert.Equal(0, ImageCliFixture.Run("image", "delta", "--from", from, "--to", to, "--key", fixture.PrivateKey, "-o", package).ExitCode);
        CliRun text = ImageCliFixture.Run("image", "inspect", package);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("delta package", text.Output, StringComparison.Ordinal);
        Assert.Contains("applies from:   release", text.Output, StringComparison.Ordinal);
        Assert.Contains("BSDIFF40 patch: control", text.Output, StringComparison.Ordinal);
        CliRun json = ImageCliFixture.Run("image", "inspect", package, "--json");
        using JsonDocument doc = JsonDocument.Parse(json.Output);
        Assert.Equal(GoldenImageManifest.DeltaFormatName, doc.RootElement.GetProperty("format").GetString());
        JsonElement system = doc.RootElement.GetProperty("partitions")[1];
        Assert.Equal("patch", system.GetProperty("kind").GetString());
        Assert.Equal("bsdiff40", system.GetProperty("compression").GetString());
        Assert.Equal(64, system.GetProperty("source_sha256").GetString()!.Length);
    }

    [Fact]
    public void Delta_with_a_key_that_did_not_sign_the_images_fails_in_one_line_and_leaves_nothing()
    {
        (string from, string to) = Releases();
        string package = fixture.PathOf("other-key.delta");
        CliRun run = ImageCliFixture.Run("image", "delta", "--from", from, "--to", to, "--key", Path.Combine(fixture.OtherKeys, "private.pem"), "-o", package);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.Contains("--from", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(package));
        Assert.Empty(Directory.GetFiles(fixture.Root, "*.tmp"));
    }

    [Fact]
    public void Delta_from_a_missing_image_names_the_flag()
    {
        CliRun run = ImageCliFixture.Run("image", "delta", "--from", fixture.PathOf("nope.golden"), "--to", fixture.PathOf("nope2.golden"), "--key", fixture.PrivateKey, "-o", fixture.PathOf("x.delta"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--from: golden image", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bsdiff_then_bspatch_gives_the_new_file_back()
    {
        string patch = fixture.PathOf("raw.patch"), rebuilt = fixture.PathOf("raw.new");
        Assert.Equal(0, ImageCliFixture.Run("image", "bsdiff", fixture.SystemPayload, fixture.BootPayload, patch).ExitCode);
        CliRun apply = ImageCliFixture.Run("image", "bspatch", fixture.SystemPayload, patch, rebuilt);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(File.ReadAllBytes(fixture.BootPayload), File.ReadAllBytes(rebuilt));
    }

    [Fact]
    public void Bspatch_of_a_damaged_patch_fails_in_one_line_naming_the_field()
    {
        string patch = fixture.PathOf("bad.patch");
        File.WriteAllBytes(patch, [.. "BSDIFF40"u8, .. new byte[16], 1, 0, 0, 0, 0, 0, 0, 0x80]);
        CliRun run = ImageCliFixture.Run("image", "bspatch", fixture.BootPayload, patch, fixture.PathOf("bad.new"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("new_size is -1", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.PathOf("bad.new")));
    }

    private static async Task<Dictionary<string, byte[]>> ImagesAsync(string golden, TrustedKeySet trusted)
    {
        var sink = new Collecting();
        await using FileStream stream = File.OpenRead(golden);
        await GoldenImageReader.ReadAsync(stream, new GoldenImageReadOptions(trusted), sink);
        return sink.Images;
    }

    private sealed class Collecting : GoldenImageSink
    {
        public Dictionary<string, byte[]> Images { get; } = [];

        private readonly Dictionary<string, MemoryStream> _open = [];

        public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, GoldenImage.Partitions.PartitionHeader header, CancellationToken cancel)
        {
            _open[partition.Name] = new MemoryStream();
            return ValueTask.FromResult<Stream?>(_open[partition.Name]);
        }

        public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, GoldenImage.Partitions.PartitionHeader header, Stream? destination, CancellationToken cancel)
        {
            Images[partition.Name] = _open[partition.Name].ToArray();
            return ValueTask.CompletedTask;
        }
    }
}
