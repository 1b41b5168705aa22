using System.Net;
using System.Text;
using System.Text.Json;

namespace RecoverySim.Cli.Tests.Bench;

/// <summary><c>recoverysim bench create</c> and <c>recoverysim web</c>, in-process as a user runs them.</summary>
public sealed class BenchCliTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rsim-bench-cli-");

    public void Dispose() => _root.Delete(recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await RecoverySimCli.RunAsync(args, new CliContext(output, error));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_create_makes_boards_that_boot_and_says_how_to_serve_them()
    {
        string dir = Path.Combine(_root.FullName, "bench");
        (int exit, string output, string error) = await RunAsync("bench", "create", dir, "--boards", "3", "--tftp-port", "16971");
        Assert.True(exit == 0, error);
        Assert.Contains("bench of 3 boards (board-1, board-2, board-3)", output, StringComparison.Ordinal);
        Assert.Contains($"recoverysim web --bench {dir}", output, StringComparison.Ordinal);
        (exit, output, error) = await RunAsync("boot", Path.Combine(dir, "board-2"));
        Assert.True(exit == 0, error);
        Assert.Contains("outcome: booted slot a, release", output, StringComparison.Ordinal);
        Assert.Contains("\"server\": \"127.0.0.1:16971\"", await File.ReadAllTextAsync(Path.Combine(dir, "board-1", "board.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--boards", "0", "--boards")]
    [InlineData("--boards", "65", "--boards")]
    [InlineData("--algorithm", "des", "--algorithm: expected ed25519, ecdsa-p256 or rsa-3072, found 'des'")]
    public async Task Bench_create_refuses_bad_flags_with_one_line(string flag, string value, string expected)
    {
        string dir = Path.Combine(_root.FullName, "bad");
        (int exit, _, string error) = await RunAsync("bench", "create", dir, flag, value);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Web_serves_the_bench_until_cancelled()
    {
        string dir = Path.Combine(_root.FullName, "bench");
        Assert.Equal(0, (await RunAsync("bench", "create", dir, "--boards", "2")).Exit);
        var output = new LineWriter("dashboard of ");
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        Task<int> web = RecoverySimCli.RunAsync(["web", "--bench", dir, "--port", "0", "--tftp-port", "0"], new CliContext(output, error), stop.Token);
        string line = await output.Seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
        string url = line[(line.IndexOf("http://", StringComparison.Ordinal))..line.IndexOf("; TFTP", StringComparison.Ordinal)];
        using (var client = new HttpClient { BaseAddress = new Uri(url) })
        {
            using JsonDocument bench = JsonDocument.Parse(await client.GetStringAsync("/api/bench"));
            Assert.Equal(2, bench.RootElement.GetProperty("boards").GetArrayLength());
            using HttpResponseMessage refused = await client.PostAsync("/api/boards/board-1/power-cycle", null);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await web);
        Assert.Contains("stopped", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Web_names_a_missing_bench()
    {
        (int exit, _, string error) = await RunAsync("web", "--bench", Path.Combine(_root.FullName, "none"), "--port", "0");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("no such bench directory", error, StringComparison.Ordinal);
    }

    /// <summary>A writer that completes <see cref="Seen"/> with the first line containing a marker.</summary>
    private sealed class LineWriter(string marker) : StringWriter
    {
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value is not null && value.Contains(marker, StringComparison.Ordinal))
            {
                Seen.TrySetResult(value);
            }

            return base.WriteLineAsync(value);
        }
    }
}
