using RecoverySim.Cli;

namespace RecoverySim.Cli.Tests.Demo;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recoverysim-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Demo_heals_the_board_over_tftp_then_from_a_usb_stick()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string work = Path.Combine(_dir, "work");

        int code = await RecoverySimCli.RunAsync(["demo", "--dir", work], new CliContext(output, error));

        string text = output.ToString();
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal("", error.ToString());
        // The story in order: slot a, fallback to slot b, healed over TFTP, a stick made, healed from the stick with TFTP down,
        // then updated over the air with a delta, and a campaign over an OTA whose download resumes.
        int[] marks =
        [
            text.IndexOf("=> booted (slot a)", StringComparison.Ordinal),
            text.IndexOf("=> booted (slot b)", StringComparison.Ordinal),
            text.IndexOf("golden-manifest-verified tftp 127.0.0.1:", StringComparison.Ordinal),
            text.IndexOf("=> recovered (slot a)", StringComparison.Ordinal),
            text.IndexOf("$ recoverysim usb create", StringComparison.Ordinal),
            text.IndexOf("no TFTP server at 127.0.0.1:", StringComparison.Ordinal),
            text.IndexOf("golden-manifest-verified usb ", StringComparison.Ordinal),
            text.LastIndexOf("=> recovered (slot a)", StringComparison.Ordinal),
            text.IndexOf("update-download-completed: release-1.0.0-to-2.0.0.rsim", StringComparison.Ordinal),
            text.IndexOf("update: installed: release", StringComparison.Ordinal),
            text.IndexOf("campaign demo-ota (exhaustive", StringComparison.Ordinal),
            text.IndexOf("failures: 0", StringComparison.Ordinal),
        ];
        Assert.All(marks, m => Assert.True(m >= 0, text));
        Assert.Equal(marks.Order(), marks);
        Assert.Equal(3, text.Split("(userdata unchanged: sha256").Length - 1);
        Assert.True(File.Exists(Path.Combine(work, "board", "usb.img")));
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
