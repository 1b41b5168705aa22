using System.Text.Json;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Cli.Tests.Image;

public class KeysGenerateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "recoverysim-keys-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("ed25519", SignatureAlgorithm.Ed25519)]
    [InlineData("ecdsa-p256", SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData("rsa-3072", SignatureAlgorithm.RsaPss3072Sha256)]
    public void Writes_a_usable_key_pair_and_prints_its_key_id(string name, SignatureAlgorithm algorithm)
    {
        string dir = Path.Combine(_directory, name);
        CliRun run = ImageCliFixture.Run("keys", "generate", "--out", dir, "--algorithm", name, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using JsonDocument json = JsonDocument.Parse(run.Output);
        SigningKey key = SigningKey.Load(Path.Combine(dir, "private.pem"));
        VerificationKey pub = VerificationKey.Load(Path.Combine(dir, "public.pem"));
        Assert.Equal(algorithm, key.Algorithm);
        Assert.Equal(key.KeyId, pub.KeyId);
        Assert.Equal(key.KeyId.ToString(), json.RootElement.GetProperty("key_id").GetString());
        Assert.Equal(name, json.RootElement.GetProperty("algorithm").GetString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "private.pem")));
        }
        byte[] data = "signed"u8.ToArray();
        Assert.True(pub.Verify(data, key.Sign(data)));
        Assert.Equal(["private.pem", "public.pem"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void Default_is_ed25519_and_text_output_names_the_key_id()
    {
        CliRun run = ImageCliFixture.Run("keys", "generate", "--out", _directory);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(SignatureAlgorithm.Ed25519, SigningKey.Load(Path.Combine(_directory, "private.pem")).Algorithm);
        Assert.StartsWith($"key id {VerificationKey.Load(Path.Combine(_directory, "public.pem")).KeyId} (ed25519)", run.Output);
    }

    [Fact]
    public void Never_overwrites_an_existing_key()
    {
        Assert.Equal(0, ImageCliFixture.Run("keys", "generate", "--out", _directory).ExitCode);
        string before = File.ReadAllText(Path.Combine(_directory, "private.pem"));
        CliRun again = ImageCliFixture.Run("keys", "generate", "--out", _directory);
        Assert.Equal(1, again.ExitCode);
        Assert.Single(again.ErrorLines);
        Assert.Contains("already exists", again.Error);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_directory, "private.pem")));
    }

    [Fact]
    public void Unknown_algorithm_is_a_usage_error()
    {
        CliRun run = ImageCliFixture.Run("keys", "generate", "--out", _directory, "--algorithm", "dsa");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Missing_out_is_a_usage_error()
    {
        CliRun run = ImageCliFixture.Run("keys", "generate");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--out", run.Error);
    }
}
