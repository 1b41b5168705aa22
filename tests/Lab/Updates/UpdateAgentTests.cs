using System.Text.Json;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Recovery.Updates;
using RecoverySim.Testing;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// The update agent against our update server on 127.0.0.1 (issue #11 item 3): full and delta
/// installs, resumed downloads, the user's policy, fallback after a bad release, and the reports.
/// </summary>
public sealed class UpdateAgentTests
{
    [Fact]
    public async Task A_delta_from_the_running_release_is_chosen_installed_booted_and_reported()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        UpdateCheckResult result = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.Installed, result.Status);
        Assert.Equal(UpdatePackageKind.Delta, result.Package!.Kind);
        Assert.Equal("r1-to-r2.rsim", result.Package.File);
        long full = new FileInfo(Path.Join(bench.Root.ChannelDirectory, "r2.rsim")).Length;
        Assert.True(result.Download!.Fetched < full / 2, $"fetched {result.Download.Fetched} of a full package of {full}");
        Assert.Equal(result.Package.Size, result.Download.Fetched);
        Assert.Equal("r2", bench.RunningRelease());
        Assert.Equal(("b", "a"), (result.Install!.Slot, result.Install.Backup));
        Assert.True(bench.UserdataIntact());
        Assert.Contains("update-reported", bench.Events);

        using JsonDocument reports = JsonDocument.Parse(await bench.Root.Http.GetStringAsync($"/v1/{AgentBench.Board}/reports"));
        JsonElement report = Assert.Single(reports.RootElement.GetProperty("reports").EnumerateArray());
        Assert.Equal(("installed", "rel-r1", "rel-r2", "dev-1"),
            (report.GetProperty("outcome").GetString(), report.GetProperty("from_release").GetString(), report.GetProperty("to_release").GetString(), report.GetProperty("device_id").GetString()));

        UpdateCheckResult again = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.UpToDate, again.Status);
        Assert.Equal(UpdateStatus.UpToDate, bench.State.Load().Status);
    }

    [Fact]
    public async Task Without_a_matching_delta_the_full_package_is_installed()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        UpdateCheckResult result = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.Installed, result.Status);
        Assert.Equal(("r2.rsim", UpdatePackageKind.Full), (result.Package!.File, result.Package.Kind));
        Assert.Equal("r2", bench.RunningRelease());
    }

    [Fact]
    public async Task A_download_cut_off_resumes_from_its_durable_bytes_with_a_range_request()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        long size = new FileInfo(Path.Join(bench.Root.ChannelDirectory, "r2.rsim")).Length;
        var ranges = new List<string?>();
        using var cutting = TamperingHandler.Cutting("r2.rsim", 150_000, request => ranges.Add(request.Headers.Range?.ToString()));
        UpdateCheckResult first = await bench.CheckAsync(cutting);

        Assert.Equal(UpdateStatus.Failed, first.Status);
        Assert.Contains("resumes from there", first.Detail, StringComparison.Ordinal);
        Assert.Equal("r1", bench.RunningRelease());
        DownloadRecord held = new DownloadArea(bench.AreaDevice).Read()!.Value;
        Assert.InRange(held.Durable, 64 << 10, 150_000);

        using var watching = new HttpClient(new TamperingHandler((_, response) => Task.FromResult(response), request => ranges.Add(request.Headers.Range?.ToString())));
        UpdateCheckResult second = await bench.CheckAsync(watching);

        Assert.Equal(UpdateStatus.Installed, second.Status);
        Assert.Equal(held.Durable, second.Download!.ResumedFrom);
        Assert.Equal(size - held.Durable, second.Download.Fetched);
        Assert.False(second.Download.Restarted);
        Assert.Contains($"bytes={held.Durable}-", ranges);
        Assert.Contains("update-download-resumed", bench.Events);
        Assert.Equal("r2", bench.RunningRelease());
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_gets_the_download_started_again_and_it_still_installs()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        using var cutting = TamperingHandler.Cutting("r2.rsim", 150_000);
        Assert.Equal(UpdateStatus.Failed, (await bench.CheckAsync(cutting)).Status);

        // Drop the Range header on the way: the server answers 200 with the whole file.
        using var noRanges = new HttpClient(new TamperingHandler((_, response) => Task.FromResult(response), request =>
        {
            request.Headers.Range = null;
            request.Headers.Remove("If-Range");
        }));
        {
            UpdateCheckResult result = await bench.CheckAsync(noRanges);
            Assert.Equal(UpdateStatus.Installed, result.Status);
            Assert.True(result.Download!.Restarted);
            Assert.Equal(result.Package!.Size, result.Download.Fetched);
        }

        Assert.Contains("update-download-restarted", bench.Events);
    }

    [Fact]
    public async Task A_changed_file_under_a_stale_validator_is_downloaded_again_from_the_start()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        using var cutting = TamperingHandler.Cutting("r2.rsim", 150_000);
        Assert.Equal(UpdateStatus.Failed, (await bench.CheckAsync(cutting)).Status);

        // The held bytes claim another entity tag: If-Range does not match, and the server sends the whole file (RFC 9110 section 13.1.5).
        var area = new DownloadArea(bench.AreaDevice);
        area.Write(area.Read()!.Value with { Validator = "\"0000\"" });
        UpdateCheckResult result = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.Installed, result.Status);
        Assert.True(result.Download!.Restarted);
    }

    [Fact]
    public async Task Wifi_only_waits_on_a_cellular_link_without_downloading_and_goes_on_over_wifi()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        bench.Config = bench.Config with { Network = NetworkType.Cellular, Update = bench.Config.Update with { WifiOnly = true } };
        UpdateCheckResult waiting = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.WaitingForWifi, waiting.Status);
        Assert.Contains("cellular", waiting.Detail, StringComparison.Ordinal);
        Assert.Null(waiting.Download);
        Assert.Null(new DownloadArea(bench.AreaDevice).Read());
        Assert.DoesNotContain(bench.Root.Events, e => e.Path?.Contains("/packages/", StringComparison.Ordinal) == true);
        Assert.Equal("rel-r2", bench.State.Load().Offered!.ReleaseId);

        bench.Config = bench.Config with { Network = NetworkType.Wifi };
        Assert.Equal(UpdateStatus.Installed, (await bench.CheckAsync()).Status);
    }

    [Fact]
    public async Task An_offline_board_does_not_call_the_server()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        bench.Config = bench.Config with { Network = NetworkType.Offline };
        Assert.Equal(UpdateStatus.Offline, (await bench.CheckAsync()).Status);
        Assert.DoesNotContain(bench.Root.Events, e => e.Path is not null);
    }

    [Fact]
    public async Task A_board_that_requires_approval_waits_until_the_user_approves()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(policy: UpdatePolicy.Default with { RequireApproval = true });
        UpdateCheckResult pending = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.PendingApproval, pending.Status);
        Assert.Equal("r1", bench.RunningRelease());
        Assert.Equal(UpdateStatus.PendingApproval, (await bench.CheckAsync()).Status);

        UpdateAgent.Approve(bench.State);
        Assert.Equal("rel-r2", bench.State.Load().ApprovedRelease);
        Assert.Equal(UpdateStatus.Installed, (await bench.CheckAsync()).Status);
        Assert.Null(bench.State.Load().ApprovedRelease);
    }

    [Fact]
    public async Task Approving_on_the_check_itself_installs()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(policy: UpdatePolicy.Default with { RequireApproval = true });
        Assert.Equal(UpdateStatus.Installed, (await bench.CheckAsync(approve: true)).Status);
    }

    [Fact]
    public async Task Outside_the_maintenance_window_the_package_is_downloaded_and_installs_when_the_window_opens()
    {
        // The bench's clock is 12:00 UTC; the window opens at 02:00.
        await using AgentBench bench = await AgentBench.CreateAsync(policy: UpdatePolicy.Default with { MaintenanceWindow = new MaintenanceWindow(new TimeOnly(2, 0), new TimeOnly(4, 0)) });
        var checks = new List<UpdateCheckResult>();
        UpdateCheckResult last;
        using (Board board = bench.Open())
        {
            last = await bench.Agent(board).PollAsync(5, (at, _) =>
            {
                bench.Clock.Advance(at - bench.Clock.GetUtcNow());
                return Task.CompletedTask;
            }, each: checks.Add);
        }

        Assert.Equal(UpdateStatus.WaitingForWindow, checks[0].Status);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero), checks[0].NextCheck);
        Assert.NotNull(checks[0].Download);
        Assert.Equal("r1", checks[0].Install?.Release ?? "r1");
        Assert.Equal(UpdateStatus.Installed, last.Status);
        Assert.Equal(2, checks.Count);
        Assert.Equal(0, checks[1].Download!.Fetched); // held whole since the first check
        Assert.Equal("r2", bench.RunningRelease());
    }

    [Fact]
    public async Task A_release_whose_OS_never_comes_up_healthy_is_rolled_back_and_reported()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        bench.Health = OsHealth.Crash(2);
        bench.UnhealthyPowerOns = bench.Config.Limits.MaxTries; // r2 crashes every try; r1 is healthy again after the fallback
        UpdateCheckResult result = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.RolledBack, result.Status);
        Assert.Contains("did not come up healthy", result.Detail, StringComparison.Ordinal);
        Assert.Equal("r1", bench.RunningRelease());
        Assert.True(bench.UserdataIntact());
        using JsonDocument reports = JsonDocument.Parse(await bench.Root.Http.GetStringAsync($"/v1/{AgentBench.Board}/reports"));
        Assert.Equal("rolled_back", Assert.Single(reports.RootElement.GetProperty("reports").EnumerateArray()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_report_the_server_does_not_take_is_kept_and_sent_at_the_next_check()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        // Reports go astray (a path the server does not know: 404), so the server never stores them.
        using var dropReports = new HttpClient(new TamperingHandler((_, response) => Task.FromResult(response), request =>
        {
            if (request.Method == HttpMethod.Post)
            {
                request.RequestUri = new Uri(request.RequestUri!, "/nowhere");
            }
        }));
        Assert.Equal(UpdateStatus.Installed, (await bench.CheckAsync(dropReports)).Status);

        Assert.Single(bench.State.Load().UnsentReports);
        Assert.Equal(UpdateStatus.UpToDate, (await bench.CheckAsync()).Status);
        Assert.Empty(bench.State.Load().UnsentReports);
        using JsonDocument reports = JsonDocument.Parse(await bench.Root.Http.GetStringAsync($"/v1/{AgentBench.Board}/reports"));
        Assert.Equal("installed", Assert.Single(reports.RootElement.GetProperty("reports").EnumerateArray()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_state_file_round_trips_through_its_one_parser_and_refuses_defects_by_field()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(policy: UpdatePolicy.Default with { RequireApproval = true });
        await bench.CheckAsync();
        byte[] bytes = bench.State.Bytes!.Value.ToArray();
        Assert.Equal(bench.State.Load(), UpdateStateFile.Parse(bytes));
        Assert.Equal(bytes, UpdateStateFile.ToJson(UpdateStateFile.Parse(bytes)));
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        var e = Assert.Throws<RecoverySim.GoldenImage.ImageFormatException>(() => UpdateStateFile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\"pending-approval\"", "\"paused\"", StringComparison.Ordinal))));
        Assert.StartsWith("update-state.json: $.status: expected one of", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<RecoverySim.GoldenImage.ImageFormatException>(() => UpdateStateFile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\"last_sequence\": 1", "\"last_sequence\": -1", StringComparison.Ordinal))));
        Assert.Contains("$.last_sequence", e.Message, StringComparison.Ordinal);
    }
}
