using System.Net;
using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Lab.Benches;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Updates;
using RecoverySim.Web.Tests.Fixtures;

namespace RecoverySim.Web.Tests.Api;

/// <summary>The settings page's API (update policy, approval, the agent) and cutting power, with HttpClient.</summary>
public sealed class DeviceSettingsApiTests
{
    private static Dictionary<string, string> Settings(string wifiOnly = "false", string approval = "false", string start = "", string end = "", string network = "wifi") => new()
    {
        ["wifi_only"] = wifiOnly, ["require_approval"] = approval, ["window_start"] = start, ["window_end"] = end, ["network"] = network,
    };

    [Fact]
    public async Task SettingsAreWrittenThroughBoardSettingsAndShownBack()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/settings", Settings("true", "true", "22:00", "02:30", "cellular"));
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement settings = body.GetProperty("board").GetProperty("settings");
        Assert.True(settings.GetProperty("wifi_only").GetBoolean());
        Assert.True(settings.GetProperty("require_approval").GetBoolean());
        Assert.Equal("22:00-02:30", settings.GetProperty("maintenance_window").GetString());
        Assert.Equal("cellular", settings.GetProperty("network").GetString());
        BoardConfig stored = BoardConfig.Load(Path.Combine(dashboard.BenchDirectory, "board-1", Board.ConfigFile));
        Assert.True(stored.Update.WifiOnly);
        Assert.Equal(new MaintenanceWindow(new TimeOnly(22, 0), new TimeOnly(2, 30)), stored.Update.MaintenanceWindow);
        Assert.Equal(NetworkType.Cellular, stored.Network);
    }

    [Theory]
    [InlineData("yes", "false", "22:00", "23:00", "wifi", "field 'wifi_only': expected one of true, false")]
    [InlineData("true", "false", "22:00", "", "wifi", "field 'window_end'")]
    [InlineData("true", "false", "", "23:00", "wifi", "field 'window_start'")]
    [InlineData("true", "false", "22:00", "22:00", "wifi", "field 'window_end'")]
    [InlineData("true", "false", "25:00", "23:00", "wifi", "field 'window_start': expected a time of day HH:MM")]
    [InlineData("true", "false", "", "", "5g", "field 'network': expected one of wifi, ethernet, cellular, offline")]
    public async Task MalformedSettingsAre400AndBoardJsonIsUnchanged(string wifi, string approval, string start, string end, string network, string expected)
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string before = dashboard.FilesHash("board-1");
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/settings", Settings(wifi, approval, start, end, network));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task ApprovingWithNothingOnOfferIs409()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/approve");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("no update is on offer", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dashboard.BenchDirectory, "board-1", UpdateStateFile.FileName)));
    }

    [Fact]
    public async Task AnUpdateThatNeedsApprovalWaitsUntilItIsApprovedFromThePage()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        await using UpdateServerForBench updates = await UpdateServerForBench.StartAsync(dashboard.Server.Bench.Bench);
        string board = Path.Combine(dashboard.BenchDirectory, "board-1");
        BoardSettings.Change(board, c => c with { Update = c.Update with { Server = updates.Server.BaseAddress.ToString().TrimEnd('/') } });
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/settings", Settings(approval: "true"))).Status);

        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/update-check");
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement update = body.GetProperty("board").GetProperty("update");
        Assert.Equal("pending-approval", update.GetProperty("status").GetString());
        Assert.Equal("rel-2.0.0", update.GetProperty("offered").GetProperty("release").GetString());

        (status, body) = await dashboard.PostAsync("/api/boards/board-1/approve");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("rel-2.0.0", body.GetProperty("board").GetProperty("update").GetProperty("approved_release").GetString());

        (status, body) = await dashboard.PostAsync("/api/boards/board-1/update-check");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("installed", body.GetProperty("board").GetProperty("update").GetProperty("status").GetString());
        Assert.Contains(body.GetProperty("board").GetProperty("slots").EnumerateArray(), s => s.GetProperty("version").GetString() == "2.0.0" && s.GetProperty("successful").GetBoolean());
    }

    [Fact]
    public async Task CuttingPowerDuringAPowerOnEndsItAndTheNextPowerOnResumesRecovery()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/corrupt", new Dictionary<string, string> { ["partition"] = "boot_a", ["damage"] = "header" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/corrupt", new Dictionary<string, string> { ["partition"] = "boot_b", ["damage"] = "header" })).Status);
        BenchBoard board = dashboard.Server.Bench.Board("board-1")!;

        // A golden-image source that holds the power-on inside recovery mode until the cut has landed.
        var opened = new TaskCompletionSource();
        var cut = new TaskCompletionSource();
        Task<BoardSnapshot> powerOn = board.PowerCycleAsync(
            _ => [new HeldSource(new FileImageSource(dashboard.Server.Bench.Bench.GoldenImagePath), opened, cut.Task)], TimeProvider.System);
        await opened.Task;
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/cut-power");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("the power-on in progress loses power", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        cut.SetResult();
        BoardSnapshot after = await powerOn;
        Assert.Equal("off", after.Power);
        Assert.NotNull(after.LastPowerOnInterrupted);
        Assert.Contains("power cut during the power-on", after.LastAction, StringComparison.Ordinal);

        (status, body) = await dashboard.PostAsync("/api/boards/board-1/power-cycle");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("recovered", body.GetProperty("board").GetProperty("last_power_on").GetProperty("outcome").GetString());
        Assert.Equal("running", body.GetProperty("board").GetProperty("power").GetString());

        (status, body) = await dashboard.PostAsync("/api/boards/board-1/cut-power");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("off", body.GetProperty("board").GetProperty("power").GetString());
        Assert.Contains("the OS stopped", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Opens <paramref name="inner"/> only once <paramref name="release"/> completes, after saying so.</summary>
    private sealed class HeldSource(GoldenImageSource inner, TaskCompletionSource opened, Task release) : GoldenImageSource
    {
        public override RecoverySource Kind => RecoverySource.Tftp;

        public override string Description => "held " + inner.Description;

        public override async Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel)
        {
            opened.TrySetResult();
            await release;
            return await inner.OpenAsync(maxBytes, cancel);
        }
    }
}
