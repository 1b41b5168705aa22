using RecoverySim.Cli;

namespace RecoverySim.Cli.Tests.Board;

/// <summary>Keys and golden images made once through the CLI itself, in a temporary directory.</summary>
public sealed class BoardCliFixture : IDisposable
{
    public BoardCliFixture()
    {
        Root = Directory.CreateTempSubdirectory("rsim-board-cli-").FullName;
        Keys = Path.Combine(Root, "keys");
        OtherKeys = Path.Combine(Root, "other-keys");
        Check(Run("keys", "generate", "--out", Keys));
        Check(Run("keys", "generate", "--out", OtherKeys));
        var random = new Random(42);
        foreach ((string name, int size) in new[] { ("boot.bin", 50_000), ("system.bin", 150_000), ("vendor.bin", 70_000) })
        {
            byte[] bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(Root, name), bytes);
        }

        Golden = Build("golden.tar", "test-board", "1.0", 2);
        GoldenOtherBoard = Build("other-board.tar", "other-board", "1.0", 2);
        GoldenOldRollback = Build("old.tar", "test-board", "0.9", 1);
    }

    public string Root { get; }

    public string Keys { get; }

    public string OtherKeys { get; }

    public string PublicKey => Path.Combine(Keys, "public.pem");

    public string Golden { get; }

    public string GoldenOtherBoard { get; }

    public string GoldenOldRollback { get; }

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = RecoverySimCli.RunAsync(args, new CliContext(output, error)).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    public string NewBoard(string profile = "ab", params string[] extra)
    {
        string dir = Path.Combine(Root, "board-" + Guid.NewGuid().ToString("N")[..8]);
        Check(Run(["board", "create", dir, "--profile", profile, "--board", "test-board", "--pubkey", PublicKey,
            "--sizes", "boot=256K,system=512K,vendor=256K,userdata=128K", .. extra]));
        return dir;
    }

    public string NewFlashedBoard(string profile = "ab")
    {
        string dir = NewBoard(profile);
        Check(Run("board", "flash", dir, Golden));
        return dir;
    }

    public static void Check((int Exit, string Out, string Err) result)
    {
        if (result.Exit != 0)
        {
            throw new InvalidOperationException($"command failed ({result.Exit}): {result.Err}{result.Out}");
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private string Build(string name, string board, string version, int rollback)
    {
        string path = Path.Combine(Root, name);
        Check(Run("image", "build", "--key", Path.Combine(Keys, "private.pem"), "--board", board, "--version", version,
            "--rollback-index", rollback.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--boot", Path.Combine(Root, "boot.bin"), "--system", Path.Combine(Root, "system.bin"), "--vendor", Path.Combine(Root, "vendor.bin"), "-o", path));
        return path;
    }
}
