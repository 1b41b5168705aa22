using RecoverySim.Cli;

namespace RecoverySim.Cli.Tests.Image;

/// <summary>
/// A scratch directory with a key pair (made once per test class through <c>keys generate</c>)
/// and three small payload files, plus a way to run the CLI in-process.
/// </summary>
public sealed class ImageCliFixture : IDisposable
{
    public ImageCliFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "recoverysim-image-cli-" + Guid.NewGuid().ToString("N"));
        global::System.IO.Directory.CreateDirectory(Root);
        CliRun keys = Run("keys", "generate", "--out", Path.Combine(Root, "keys"));
        if (keys.ExitCode != 0)
        {
            throw new InvalidOperationException($"keys generate failed: {keys}");
        }

        OtherKeys = Path.Combine(Root, "other");
        Run("keys", "generate", "--out", OtherKeys, "--algorithm", "ecdsa-p256");
        BootPayload = Payload("boot.bin", 1, 70_000);
        SystemPayload = Payload("system.bin", 2, 1_500_000);
        VendorPayload = Payload("vendor.bin", 3, 5);
    }

    public string Root { get; }

    public string PrivateKey => Path.Combine(Root, "keys", "private.pem");

    public string PublicKey => Path.Combine(Root, "keys", "public.pem");

    public string OtherKeys { get; }

    public string BootPayload { get; }

    public string SystemPayload { get; }

    public string VendorPayload { get; }

    /// <summary>Runs <c>recoverysim ARGS</c> in-process and returns its exit code and outputs.</summary>
    public static CliRun Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RecoverySimCli.RunAsync(args, new CliContext(output, error, terminal: null, time: new FixedTime())).GetAwaiter().GetResult();
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Builds a golden image at <paramref name="output"/> from the fixture's payloads; extra args appended.</summary>
    public CliRun Build(string output, params string[] extra) => Run([
        "image", "build", "--key", PrivateKey, "--board", "board-7", "--version", "2.1", "--rollback-index", "4",
        "--boot", BootPayload, "--system", SystemPayload, "--vendor", VendorPayload, "-o", output, .. extra]);

    public string PathOf(string name) => Path.Combine(Root, name);

    public void Dispose() => global::System.IO.Directory.Delete(Root, recursive: true);

    private string Payload(string name, int seed, int length)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        string path = Path.Combine(Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    }
}
