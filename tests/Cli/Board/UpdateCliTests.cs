using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Updates;

namespace RecoverySim.Cli.Tests.Board;

/// <summary><c>recoverysim update</c> and <c>board settings</c> against our update server on 127.0.0.1, as a user runs them.</summary>
public sealed class UpdateCliTests(BoardCliFixture fixture) : IClassFixture<BoardCliFixture>
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => BoardCliFixture.Run(args);

    private async Task<UpdateServer> ServeAsync()
    {
        string root = Path.Combine(fixture.Root, "updates-" + Guid.NewGuid().ToString("N")[..8]);
        string channel = Path.Combine(root, "test-board", "stable");
        Directory.CreateDirectory(channel);
        string key = Path.Combine(fixture.Keys, "private.pem");
        BoardCliFixture.Check(Run("image", "build", "--key", key, "--board", "test-board", "--version", "2.0", "--rollback-index", "3",
            "--boot", Path.Combine(fixture.Root, "boot.bin"), "--system", Path.Combine(fixture.Root, "system.bin"), "--vendor", Path.Combine(fixture.Root, "vendor.bin"),
            "-o", Path.Combine(channel, "r2.rsim")));
        var server = new UpdateServer(new UpdateServerOptions { Root = root, IndexKey = SigningKey.Load(key), Port = 0 });
        await server.StartAsync();
        return server;
    }

    [Fact]
    public async Task Update_installs_the_offered_release_reboots_and_says_so()
    {
        await using UpdateServer server = await ServeAsync();
        string dir = fixture.NewFlashedBoard();
        BoardCliFixture.Check(Run("boot", dir));
        (int exit, string output, string error) = Run("update", dir, "--server", server.BaseAddress.ToString());
        Assert.True(exit == 0, error + output);
        Assert.Contains("update-download-completed", output, StringComparison.Ordinal);
        Assert.Contains("update: installed: release", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "update-state.json")));
        (exit, output, _) = Run("update", dir, "--server", server.BaseAddress.ToString(), "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"status\": \"up-to-date\"", output, StringComparison.Ordinal);
        Assert.Contains("\"version\": \"2.0\"", Run("board", "inspect", dir, "--json").Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wifi_only_on_a_cellular_board_waits_and_the_settings_show_it()
    {
        await using UpdateServer server = await ServeAsync();
        string dir = fixture.NewFlashedBoard();
        BoardCliFixture.Check(Run("boot", dir));
        (int exit, string output, _) = Run("board", "settings", dir, "--wifi-only", "on", "--network", "cellular", "--window", "02:00-04:00");
        Assert.Equal(0, exit);
        Assert.Contains("wifi-only on, window 02:00-04:00, require-approval off, network cellular", output, StringComparison.Ordinal);
        (exit, output, _) = Run("update", dir, "--server", server.BaseAddress.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("update: waiting-for-wifi:", output, StringComparison.Ordinal);

        // Over Wi-Fi it downloads, waits for the window, and with --poll the simulated clock runs to 02:00 and it installs.
        BoardCliFixture.Check(Run("board", "settings", dir, "--network", "wifi"));
        (exit, output, _) = Run("update", dir, "--server", server.BaseAddress.ToString(), "--poll", "--now", "2026-12-01T12:00:00Z");
        Assert.Equal(0, exit);
        Assert.Contains("installs in the maintenance window 02:00-04:00 UTC, next at 2026-12-02T02:00:00Z", output, StringComparison.Ordinal);
        Assert.Contains("update: installed:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--server", "ftp://127.0.0.1/", "--server 'ftp://127.0.0.1/': expected an absolute http or https URL")]
    [InlineData("--now", "yesterday", "--now 'yesterday': expected")]
    public void Bad_update_flags_are_one_line_and_exit_2(string flag, string value, string says)
    {
        string dir = fixture.NewFlashedBoard();
        (int exit, _, string error) = Run("update", dir, flag, value);
        Assert.Equal(2, exit);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--window", "25:00-01:00", "--window: expected HH:MM-HH:MM")]
    [InlineData("--wifi-only", "yes", "--wifi-only: expected on or off, found 'yes'")]
    [InlineData("--network", "lte", "--network: expected wifi, ethernet, cellular or offline")]
    public void Bad_settings_are_refused_and_board_json_is_unchanged(string flag, string value, string says)
    {
        string dir = fixture.NewFlashedBoard();
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "board.json"));
        (int exit, _, string error) = Run("board", "settings", dir, flag, value);
        Assert.Equal(2, exit);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "board.json")));
    }

    [Fact]
    public void A_bad_server_url_in_the_settings_names_the_field_and_changes_nothing()
    {
        string dir = fixture.NewFlashedBoard();
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "board.json"));
        (int exit, _, string error) = Run("board", "settings", dir, "--server", "http://u:p@127.0.0.1/");
        Assert.Equal(1, exit);
        Assert.Contains("$.update.server", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "board.json")));
    }

    [Fact]
    public void An_update_against_a_server_that_is_not_there_fails_in_one_line()
    {
        string dir = fixture.NewFlashedBoard();
        BoardCliFixture.Check(Run("boot", dir));
        (int exit, string output, _) = Run("update", dir, "--server", "http://127.0.0.1:9/");
        Assert.Equal(1, exit);
        Assert.Contains("update: failed: GET http://127.0.0.1:9/v1/test-board/stable/index.json", output, StringComparison.Ordinal);
    }
}
