using RecoverySim.Cli;

namespace RecoverySim.Cli.Tests.Demo;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recoverysim-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Demo_tells_the_whole_story_and_ends_with_a_booted_board()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string work = Path.Combine(_dir, "work");

        int code = await RecoverySimCli.RunAsync(["demo", "--dir", work], new CliContext(output, error));

        string text = output.ToString();
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal("", error.ToString());
        // The story in order: slot a, fallback to slot b, recovery needed, fetched over TFTP, booted again.
        int[] marks =
        [
            text.IndexOf("=> booted (slot a)", StringComparison.Ordinal),
            text.IndexOf("=> booted (slot b)", StringComparison.Ordinal),
            text.IndexOf("=> recovery-required", StringComparison.Ordinal),
            text.IndexOf("received golden.tar", StringComparison.Ordinal),
            text.LastIndexOf("=> booted (slot a)", StringComparison.Ordinal),
        ];
        Assert.All(marks, m => Assert.True(m >= 0, text));
        Assert.Equal(marks.Order(), marks);
        Assert.True(marks[4] > marks[3]);
        Assert.Contains("(userdata unchanged through brick, fetch and reflash", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "fetched.tar")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "tftp-root", "golden.tar")), File.ReadAllBytes(Path.Combine(work, "fetched.tar")));
    }

    [Fact]
    public async Task Demo_refuses_a_directory_that_is_not_empty_and_leaves_it_alone()
    {
        string busy = Path.Combine(_dir, "busy");
        Directory.CreateDirectory(busy);
        File.WriteAllText(Path.Combine(busy, "keep.txt"), "user file");
        var error = new StringWriter();

        int code = await RecoverySimCli.RunAsync(["demo", "--dir", busy], new CliContext(new StringWriter(), error));

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("is not empty", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Equal(["keep.txt"], Directory.GetFiles(busy).Select(Path.GetFileName));
    }
}
