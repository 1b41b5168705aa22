using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;

namespace RecoverySim.Cli.Tests.Image;

public class ImageCommandsTests(ImageCliFixture fixture) : IClassFixture<ImageCliFixture>
{
    private static void Failed(CliRun run, params string[] expected)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True(run.ErrorLines.Length == 1, run.ToString());
        Assert.StartsWith("recoverysim: ", run.Error);
        foreach (string text in expected)
        {
            Assert.Contains(text, run.Error);
        }
    }

    private string Built(string name, params string[] extra)
    {
        string path = fixture.PathOf(name);
        CliRun run = fixture.Build(path, extra);
        Assert.True(run.ExitCode == 0, run.ToString());
        return path;
    }

    private void NoTemporaryFiles() => Assert.Empty(Directory.GetFiles(fixture.Root, "*.tmp"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_then_verify_succeeds_and_reports_the_release(bool compress)
    {
        string golden = Built(compress ? "ok-zst.golden" : "ok.golden", compress ? ["--compress"] : []);
        CliRun verify = ImageCliFixture.Run("image", "verify", golden, "--pubkey", fixture.PublicKey, "--board", "board-7", "--min-rollback-index", "4");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("verified", verify.Output);
        Assert.Contains("version 2.1, rollback index 4", verify.Output);
        Assert.Contains(compress ? "system.img.zst" : "system.img", verify.Output);
        Assert.Empty(verify.Error);
        NoTemporaryFiles();
    }

    [Fact]
    public void Build_json_prints_the_manifest_and_verify_json_matches()
    {
        string golden = fixture.PathOf("json.golden");
        CliRun build = fixture.Build(golden, "--json", "--release-id", "rel-42");
        Assert.True(build.ExitCode == 0, build.ToString());
        using JsonDocument manifest = JsonDocument.Parse(build.Output);
        Assert.Equal("rel-42", manifest.RootElement.GetProperty("release_id").GetString());
        CliRun verify = ImageCliFixture.Run("image", "verify", golden, "--pubkey", fixture.PublicKey, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        using JsonDocument result = JsonDocument.Parse(verify.Output);
        Assert.True(result.RootElement.GetProperty("verified").GetBoolean());
        JsonElement system = result.RootElement.GetProperty("partitions")[1];
        Assert.Equal("system", system.GetProperty("name").GetString());
        Assert.Equal(1_500_000, system.GetProperty("payload_length").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(fixture.SystemPayload))), system.GetProperty("payload_sha256").GetString());
        Assert.Equal(manifest.RootElement.GetProperty("partitions")[1].GetProperty("sha256").GetString(), system.GetProperty("sha256").GetString());
    }

    [Fact]
    public void Build_is_a_tar_with_members_in_order_and_the_build_time()
    {
        string golden = Built("order.golden");
        using var reader = new TarReader(File.OpenRead(golden));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
            Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), entry.ModificationTime);
        }

        Assert.Equal(["manifest.json", "manifest.sig", "boot.img", "system.img", "vendor.img"], names);
    }

    [Fact]
    public void Inspect_text_and_json_show_manifest_and_headers_unverified()
    {
        string golden = Built("inspect.golden");
        CliRun text = ImageCliFixture.Run("image", "inspect", golden);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("NOT verified", text.Output);
        Assert.Contains("rollback index: 4", text.Output);
        Assert.Contains("member vendor.img (4101 bytes) header: vendor 2.1", text.Output);

        CliRun json = ImageCliFixture.Run("image", "inspect", golden, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument doc = JsonDocument.Parse(json.Output);
        Assert.False(doc.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("board-7", doc.RootElement.GetProperty("board_ids")[0].GetString());
        JsonElement boot = doc.RootElement.GetProperty("members")[0];
        Assert.Equal("boot.img", boot.GetProperty("name").GetString());
        Assert.Equal(70_000, boot.GetProperty("header").GetProperty("payload_length").GetInt64());
        Assert.Equal(JsonValueKind.Null, boot.GetProperty("header_error").ValueKind);
    }

    [Fact]
    public void Verify_with_the_wrong_key_fails_in_one_line_naming_the_keys()
    {
        string golden = Built("wrongkey.golden");
        Failed(ImageCliFixture.Run("image", "verify", golden, "--pubkey", Path.Combine(fixture.OtherKeys, "public.pem")), "manifest.sig", "not trusted");
    }

    [Fact]
    public void Verify_accepts_any_of_several_trusted_keys()
    {
        string golden = Built("twokeys.golden");
        CliRun run = ImageCliFixture.Run("image", "verify", golden, "--pubkey", Path.Combine(fixture.OtherKeys, "public.pem"), "--pubkey", fixture.PublicKey);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public void Verify_refuses_another_board_and_a_downgrade()
    {
        string golden = Built("policy.golden");
        Failed(ImageCliFixture.Run("image", "verify", golden, "--pubkey", fixture.PublicKey, "--board", "board-8"), "board_ids", "board-8");
        Failed(ImageCliFixture.Run("image", "verify", golden, "--pubkey", fixture.PublicKey, "--min-rollback-index", "5"), "rollback_index is 4", "minimum 5");
    }

    [Fact]
    public void Verify_rejects_a_flipped_bit_and_a_truncation_with_the_member_named()
    {
        string golden = Built("damaged.golden");
        byte[] bytes = File.ReadAllBytes(golden);
        byte[] flipped = (byte[])bytes.Clone();
        flipped[flipped.Length - 1024 - 600] ^= 0x01; // inside vendor.img's data
        File.WriteAllBytes(fixture.PathOf("flipped.golden"), flipped);
        Failed(ImageCliFixture.Run("image", "verify", fixture.PathOf("flipped.golden"), "--pubkey", fixture.PublicKey), "vendor.img");

        File.WriteAllBytes(fixture.PathOf("truncated.golden"), bytes[..(bytes.Length / 2)]);
        Failed(ImageCliFixture.Run("image", "verify", fixture.PathOf("truncated.golden"), "--pubkey", fixture.PublicKey), "truncated");
    }

    [Fact]
    public void Verify_and_inspect_of_missing_or_garbage_files_fail_in_one_line()
    {
        Failed(ImageCliFixture.Run("image", "verify", fixture.PathOf("nope.golden"), "--pubkey", fixture.PublicKey), "does not exist");
        Failed(ImageCliFixture.Run("image", "inspect", fixture.PathOf("nope.golden")), "does not exist");
        File.WriteAllText(fixture.PathOf("garbage.golden"), "this is not a golden image\n");
        Failed(ImageCliFixture.Run("image", "inspect", fixture.PathOf("garbage.golden")));
        Failed(ImageCliFixture.Run("image", "verify", fixture.PathOf("garbage.golden"), "--pubkey", fixture.PublicKey));
        Failed(ImageCliFixture.Run("image", "verify", Built("k.golden"), "--pubkey", fixture.PrivateKey), "PUBLIC KEY", "private key");
    }

    [Fact]
    public void Failed_build_leaves_no_output_and_keeps_an_existing_one()
    {
        string golden = fixture.PathOf("keep.golden");
        File.WriteAllText(golden, "previous");

        Failed(fixture.Build(golden, "--release-id", "bad/id"), "release id");
        Failed(ImageCliFixture.Run("image", "build", "--key", fixture.PublicKey, "--board", "b", "--version", "1", "--rollback-index", "1",
            "--boot", fixture.BootPayload, "--system", fixture.SystemPayload, "--vendor", fixture.VendorPayload, "-o", golden), "PRIVATE KEY");
        Failed(ImageCliFixture.Run("image", "build", "--key", fixture.PrivateKey, "--board", "b", "--version", "1", "--rollback-index", "1",
            "--boot", fixture.PathOf("missing.bin"), "--system", fixture.SystemPayload, "--vendor", fixture.VendorPayload, "-o", golden), "--boot", "does not exist");
        Failed(ImageCliFixture.Run("image", "build", "--key", fixture.PrivateKey, "--board", "b", "--version", "caf\u00e9", "--rollback-index", "1",
            "--boot", fixture.BootPayload, "--system", fixture.SystemPayload, "--vendor", fixture.VendorPayload, "-o", golden), "version");
        Failed(ImageCliFixture.Run("image", "build", "--key", fixture.PrivateKey, "--board", "b", "--version", "1", "--rollback-index", "1",
            "--boot", fixture.BootPayload, "--system", fixture.SystemPayload, "--vendor", fixture.VendorPayload, "-o", fixture.PathOf("no-such-dir/x.golden")), "does not exist");
        Assert.Equal("previous", File.ReadAllText(golden));
        NoTemporaryFiles();

        Assert.Equal(0, fixture.Build(golden).ExitCode);
        Assert.NotEqual("previous", File.ReadAllText(golden));
    }

    [Fact]
    public void Missing_or_malformed_flags_are_usage_errors()
    {
        CliRun missing = ImageCliFixture.Run("image", "build", "--key", fixture.PrivateKey);
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.ErrorLines);
        CliRun notNumber = fixture.Build(fixture.PathOf("x.golden"), "--rollback-index", "minus-one");
        Assert.Equal(2, notNumber.ExitCode);
        CliRun noPubkey = ImageCliFixture.Run("image", "verify", fixture.PathOf("x.golden"));
        Assert.Equal(2, noPubkey.ExitCode);
    }
}
