using System.CommandLine;
using RecoverySim.Cli.Reference;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Cli.Tests.Reference;

/// <summary>The man page and the shell completions come from the command tree: every command and option is in them.</summary>
public sealed class ReferenceTests
{
    private static readonly RootCommand Root = RecoverySimCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));

    private static async Task<string> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await RecoverySimCli.RunAsync(args, new CliContext(output, error));
        Assert.True(code == 0, error.ToString());
        return output.ToString();
    }

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (CommandTree.Node node in CommandTree.Walk(Root).Where(n => n.Path.Length > 0))
        {
            data.Add(node.Path);
        }

        return data;
    }

    [Fact]
    public void The_tree_has_the_commands_of_the_design_and_hides_the_generators()
    {
        string[] paths = [.. CommandTree.Walk(Root).Select(n => n.Path)];
        foreach (string expected in new[] { "serve", "tftp get", "image build", "board flash", "boot", "usb create", "keys generate", "demo", "bench create", "web" })
        {
            Assert.Contains(expected, paths);
        }

        Assert.DoesNotContain("man", paths);
        Assert.DoesNotContain("completions", paths);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_man_page_lists_every_command_with_its_options(string path)
    {
        string page = await RunAsync("man");
        Assert.StartsWith(".TH RECOVERYSIM 1 ", page, StringComparison.Ordinal);
        CommandTree.Node node = CommandTree.Walk(Root).Single(n => n.Path == path);
        int at = page.IndexOf($".SS \"recoverysim {path.Replace("-", "\\-", StringComparison.Ordinal)}", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no section for '{path}'");
        foreach (Option option in node.Options)
        {
            Assert.Contains(option.Name.Replace("-", "\\-", StringComparison.Ordinal), page[at..], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Both_completion_scripts_mention_every_command_and_its_options(string path)
    {
        CommandTree.Node node = CommandTree.Walk(Root).Single(n => n.Path == path);
        foreach (string shell in new[] { "bash", "zsh" })
        {
            string script = await RunAsync("completions", shell);
            Assert.Contains($"'{path}'", script, StringComparison.Ordinal);
            foreach (Option option in node.Options)
            {
                Assert.Contains(option.Name, script, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task The_bash_script_completes_subcommands_and_options()
    {
        string script = Path.Join(Path.GetTempPath(), $"rs-completion-{Guid.NewGuid():N}.bash");
        await File.WriteAllTextAsync(script, await RunAsync("completions", "bash"));
        try
        {
            PeerResult result = await PeerProcess.RunAsync("bash", ["-c",
                $"source '{script}'; COMP_WORDS=(recoverysim image b); COMP_CWORD=2; _recoverysim; echo \"${{COMPREPLY[*]}}\"; " +
                "COMP_WORDS=(recoverysim serve --con); COMP_CWORD=2; _recoverysim; echo \"${COMPREPLY[*]}\""], TimeSpan.FromSeconds(30));
            Assert.Equal("build\n--config\n", result.StandardOutput);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
