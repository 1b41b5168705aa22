using System.Net;
using System.Text.Json;
using RecoverySim.Lab.Benches;
using RecoverySim.Lab.Web;
using RecoverySim.Web.Tests.Fixtures;

namespace RecoverySim.Web.Tests.Api;

/// <summary>
/// The dashboard's HTTP API with HttpClient (issue #12 "Bad input"): status codes, the session
/// token and the cross-site checks, 404 for a board that does not exist, 400 naming the field, 409
/// for a second action on a busy board; each refusal leaves the board's files byte for byte as
/// they were.
/// </summary>
public sealed class DashboardApiTests
{
    private static readonly Dictionary<string, string> HeaderDamage = new() { ["partition"] = "boot_a", ["damage"] = "header" };

    [Fact]
    public async Task ThePageSetsAStrictHttpOnlySessionCookieAndCarriesItsToken()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        using var client = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
        using HttpResponseMessage page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(SessionTokens.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        string session = cookie[(SessionTokens.CookieName.Length + 1)..cookie.IndexOf(';', StringComparison.Ordinal)];
        Assert.True(dashboard.Server.Tokens.IsValid(session, Dashboard.TokenOf(await page.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task APostWithoutTheTokenIsRefusedAndTheBoardIsUnchanged()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string before = dashboard.FilesHash("board-1");
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/corrupt", HeaderDamage, withToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("session token", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task AWrongTokenOrAnotherSessionsTokenIsRefused()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string before = dashboard.FilesHash("board-1");
        using var other = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards/board-1/power-cycle");
        request.Headers.Add(SessionTokens.HeaderName, dashboard.Token); // the token, but not its session's cookie
        using HttpResponseMessage response = await other.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        (HttpStatusCode status, _) = await dashboard.PostAsync("/api/boards/board-1/power-cycle", new Dictionary<string, string> { ["token"] = (dashboard.Token[0] == 'A' ? "B" : "A") + dashboard.Token[1..] }, withToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(JsonValueKind.Null, (await dashboard.BoardAsync("board-1")).GetProperty("last_power_on").ValueKind);
        Assert.Equal(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task TheTokenMayComeAsAFormField()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/recovery", new Dictionary<string, string> { ["token"] = dashboard.Token }, withToken: false);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("user-requested", body.GetProperty("board").GetProperty("recovery_request").GetString());
    }

    [Fact]
    public async Task ACrossSiteOriginOrFetchSiteIsRefusedEvenWithTheToken()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string before = dashboard.FilesHash("board-1");
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/corrupt", HeaderDamage, origin: "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Origin", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards/board-1/corrupt") { Content = new FormUrlEncodedContent(HeaderDamage) };
        request.Headers.Add(SessionTokens.HeaderName, dashboard.Token);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task AForeignHostNameIsRefused()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/bench");
        request.Headers.Host = $"rebound.example:{dashboard.Server.LocalEndPoint.Port}";
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
    }

    [Fact]
    public async Task AnActionOnABoardThatDoesNotExistIs404NamingTheBoards()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync();
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-9/power-cycle");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("no board 'board-9' on this bench (boards: board-1, board-2)", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.PostAsync("/api/boards/board-1/explode")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.Client.GetAsync("/api/boards/nope")).StatusCode);
    }

    [Theory]
    [InlineData("partition=boot_x&damage=header", "field 'partition'")]
    [InlineData("partition=boot_a&damage=melt", "field 'damage'")]
    [InlineData("partition=boot_a&damage=range&offset=-1", "field 'offset'")]
    [InlineData("partition=boot_a&damage=range&offset=1e3", "field 'offset'")]
    [InlineData("partition=boot_a&damage=range", "field 'offset': expected an integer from 0")]
    [InlineData("partition=boot_a&damage=range&offset=99999999&length=1", "outside partition 'boot_a'")]
    [InlineData("partition=boot_a&damage=bit-flips&count=0", "field 'count'")]
    [InlineData("partition=boot_a&partition=boot_b&damage=header", "duplicate field")]
    [InlineData("partition=boot_a&damage=header&colour=red", "field 'colour'")]
    [InlineData("partition=boot_a&damage=head%zzer", "percent escapes")]
    [InlineData("partition=userdata&damage=header", "has no partition header")]
    public async Task MalformedFormValuesAre400NamingTheFieldAndTheBoardIsUnchanged(string form, string expected)
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string before = dashboard.FilesHash("board-1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards/board-1/corrupt")
        {
            Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add(SessionTokens.HeaderName, dashboard.Token);
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(expected, body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("unchanged", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task ASecondActionOnABusyBoardIs409AndChangesNothing()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync();
        BenchBoard board = dashboard.Server.Bench.Board("board-1")!;
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        Task<int> holding = board.RunAsync("a held test action", async _ =>
        {
            entered.SetResult();
            await release.Task;
            return 0;
        });
        await entered.Task;
        string before = dashboard.FilesHash("board-1");
        foreach (string action in new[] { "power-cycle", "corrupt", "recovery" })
        {
            (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync($"/api/boards/board-1/{action}", action == "corrupt" ? HeaderDamage : null);
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Contains("board-1 is busy: a held test action is in progress", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, dashboard.FilesHash("board-1"));

        // The other board is free meanwhile.
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-2/recovery")).Status);
        release.SetResult();
        await holding;
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/corrupt", HeaderDamage)).Status);
        Assert.NotEqual(before, dashboard.FilesHash("board-1"));
    }

    [Fact]
    public async Task ABoardWhoseFilesWentBadIs500WithTheLibrarysLine()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        File.Delete(Path.Combine(dashboard.BenchDirectory, "board-1", "disk.img"));
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/power-cycle");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("board-1: power-cycle failed:", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("disk.img: not found", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        JsonElement board = await dashboard.BoardAsync("board-1");
        Assert.Equal("off", board.GetProperty("power").GetString());
        Assert.Equal(JsonValueKind.Null, board.GetProperty("busy").ValueKind);

        // The board is free again: the next action is not refused as busy.
        (status, _) = await dashboard.PostAsync("/api/boards/board-1/recovery");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
    }

    [Fact]
    public async Task CorruptThenPowerCycleRecoversOverTheBenchTftpServer()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync();
        using var events = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        using HttpResponseMessage stream = await dashboard.Client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("bench", (await NextEventAsync(reader)).Kind);
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/corrupt", HeaderDamage)).Status);
        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-1/corrupt", new Dictionary<string, string> { ["partition"] = "system_b", ["damage"] = "erase" })).Status);
        JsonElement slots = (await dashboard.BoardAsync("board-1")).GetProperty("slots");
        Assert.All(slots.EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("release").ValueKind));

        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/boards/board-1/power-cycle");
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement board = body.GetProperty("board");
        Assert.Equal("recovered", board.GetProperty("last_power_on").GetProperty("outcome").GetString());
        Assert.StartsWith("tftp 127.0.0.1:", board.GetProperty("last_power_on").GetProperty("recovery").GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal("running", board.GetProperty("power").GetString());
        Assert.All(board.GetProperty("slots").EnumerateArray(), s => Assert.Equal("1.0.0", s.GetProperty("version").GetString()));
        Assert.Contains(board.GetProperty("last_power_on").GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "recovery-completed");

        // The bench's TFTP server served the golden image to it, and pushed the transfer.
        (string Kind, JsonElement Data) tftp;
        do
        {
            tftp = await NextEventAsync(reader);
        }
        while (tftp.Kind != "tftp" || tftp.Data.GetProperty("finished_transfers").GetInt32() == 0);

        JsonElement transfer = tftp.Data.GetProperty("recent")[0];
        Assert.Equal("golden.rsim", transfer.GetProperty("file").GetString());
        Assert.Equal(JsonValueKind.Null, transfer.GetProperty("error").ValueKind);

        // The other board was not touched.
        Assert.Equal("off", (await dashboard.BoardAsync("board-2")).GetProperty("power").GetString());
    }

    [Fact]
    public async Task TheEventStreamStartsWithTheWholeBenchThenPushesChanges()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (string kind, JsonElement data) = await NextEventAsync(reader);
        Assert.Equal("bench", kind);
        Assert.Equal(2, data.GetProperty("boards").GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await dashboard.PostAsync("/api/boards/board-2/recovery")).Status);
        JsonElement pushed;
        do
        {
            (kind, pushed) = await NextEventAsync(reader);
        }
        while (kind != "board" || pushed.GetProperty("recovery_request").ValueKind == JsonValueKind.Null);

        Assert.Equal("board-2", pushed.GetProperty("name").GetString());
        Assert.Equal("user-requested", pushed.GetProperty("recovery_request").GetString());
    }

    [Fact]
    public async Task ACampaignStartedFromThePageStreamsItsProgressToTheEnd()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1, withScenarios: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (string kind, JsonElement bench) = await NextEventAsync(reader);
        Assert.Contains(bench.GetProperty("scenarios").EnumerateArray(), s => s.GetString() == "torn-header-write.json");

        (HttpStatusCode status, _) = await dashboard.PostAsync("/api/campaign", new Dictionary<string, string> { ["scenario"] = "torn-header-write.json", ["samples"] = "12", ["seed"] = "3" });
        Assert.Equal(HttpStatusCode.Accepted, status);
        (HttpStatusCode again, JsonElement busy) = await dashboard.PostAsync("/api/campaign", new Dictionary<string, string> { ["scenario"] = "torn-header-write.json" });
        if (again == HttpStatusCode.Conflict)
        {
            Assert.Contains("campaign is busy", busy.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var seen = new List<int>();
        JsonElement campaign;
        do
        {
            (kind, campaign) = await NextEventAsync(reader);
            if (kind == "campaign" && campaign.GetProperty("state").GetString() == "running")
            {
                seen.Add(campaign.GetProperty("done").GetInt32());
            }
        }
        while (kind != "campaign" || campaign.GetProperty("state").GetString() is not ("done" or "failed"));

        Assert.Equal("done", campaign.GetProperty("state").GetString());
        Assert.True(campaign.GetProperty("done").GetInt32() > 0);
        Assert.Equal(campaign.GetProperty("done").GetInt32(), campaign.GetProperty("total").GetInt32());
        Assert.Equal(seen.Order(), seen); // progress only goes forward
        Assert.Equal(0, campaign.GetProperty("failure_count").GetInt32());
        Assert.NotNull(campaign.GetProperty("digest").GetString());
    }

    [Fact]
    public async Task ACampaignsFailuresComeWithTheirCrashIdsAndReplayCommands()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        string scenarios = Path.Combine(dashboard.BenchDirectory, "scenarios");
        Directory.CreateDirectory(scenarios);
        string file = Path.Combine(scenarios, "update-without-sources.json");
        await File.WriteAllTextAsync(file, """
            {"name": "update-without-sources", "releases": [{"name": "r1", "version": "1.0", "rollback_index": 1}, {"name": "r2", "version": "2.0", "rollback_index": 2}],
             "flash": "r1", "steps": [{"step": "power-on"}, {"step": "update", "release": "r2"}, {"step": "power-on"}, {"step": "expect", "release": "r2"}]}
            """);
        dashboard.Server.Bench.Campaign.DiskDecorator = RecoverySim.Lab.Tests.Campaigns.StorageDoubles.SwappedUpdateMark;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        using HttpResponseMessage response = await dashboard.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("bench", (await NextEventAsync(reader)).Kind);

        Assert.Equal(HttpStatusCode.Accepted, (await dashboard.PostAsync("/api/campaign", new Dictionary<string, string> { ["scenario"] = "update-without-sources.json", ["samples"] = "40", ["seed"] = "5" })).Status);
        (string Kind, JsonElement Data) e;
        do
        {
            e = await NextEventAsync(reader);
        }
        while (e.Kind != "campaign" || e.Data.GetProperty("state").GetString() is not ("done" or "failed"));

        JsonElement campaign = e.Data;
        Assert.Equal("done", campaign.GetProperty("state").GetString());
        Assert.True(campaign.GetProperty("failure_count").GetInt32() > 0);
        JsonElement failure = campaign.GetProperty("failures")[0];
        string id = failure.GetProperty("id").GetString()!;
        Assert.Equal($"recoverysim powercut {file} --seed 5 --replay {id}", failure.GetProperty("replay").GetString());
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("failure").GetString()));
        Assert.True(RecoverySim.Lab.Campaigns.CrashPoint.TryParse(id, out _, out string? error), error);
    }

    [Fact]
    public async Task ACampaignOverAScenarioThePageDoesNotListIs400()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1, withScenarios: true);
        (HttpStatusCode status, JsonElement body) = await dashboard.PostAsync("/api/campaign", new Dictionary<string, string> { ["scenario"] = "../../etc/passwd" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("field 'scenario'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, body) = await dashboard.PostAsync("/api/campaign", new Dictionary<string, string> { ["scenario"] = "torn-header-write.json", ["samples"] = "0" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("field 'samples'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Reads one server-sent event: its <c>event:</c> name and its <c>data:</c> JSON.</summary>
    internal static async Task<(string Kind, JsonElement Data)> NextEventAsync(StreamReader reader)
    {
        string? kind = null;
        string? data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.Length == 0 && kind is not null && data is not null)
            {
                using JsonDocument json = JsonDocument.Parse(data);
                return (kind, json.RootElement.Clone());
            }
        }

        throw new EndOfStreamException("the event stream ended");
    }
}
