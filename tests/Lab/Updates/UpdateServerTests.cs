using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Updates;
using RecoverySim.Testing;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>The update server in-process on 127.0.0.1 port 0: indexes, ranges and conditional requests byte for byte, paths, reports.</summary>
public sealed class UpdateServerTests : IAsyncLifetime
{
    private const string Index = "/v1/board-1/stable/index.json", Signature = "/v1/board-1/stable/index.sig", Package = "/v1/board-1/stable/packages/r1.rsim";

    private readonly UpdateRoot _root = new();

    private byte[] _package = [];

    private HttpClient Http => _root.Http;

    public async Task InitializeAsync()
    {
        _package = await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r1.rsim"), 1, 3, "1.0");
        await _root.StartAsync();
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    private static string Tag(byte[] bytes) => $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"";

    private async Task<VerifiedUpdateIndex> FetchIndexAsync()
    {
        byte[] json = await Http.GetByteArrayAsync(Index);
        byte[] signature = await Http.GetByteArrayAsync(Signature);
        return UpdateIndexReader.Read(json, signature, new UpdateIndexReadOptions(new TrustedKeySet(UpdateRoot.IndexKey.PublicKey), UpdateRoot.Board, UpdateRoot.Channel, TimeProvider.System));
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(method, path);
        headers?.Invoke(request.Headers);
        return Http.SendAsync(request);
    }

    [Fact]
    public async Task The_index_is_signed_and_lists_the_package_by_its_exact_bytes()
    {
        UpdateIndex index = (await FetchIndexAsync()).Index;
        UpdatePackage p = Assert.Single(index.Packages);
        Assert.Equal(("r1.rsim", UpdatePackageKind.Full, (long)_package.Length, Tag(_package).Trim('"'), (string?)null), (p.File, p.Kind, p.Size, p.Sha256, p.FromRelease));
        Assert.Equal(p.Target, index.Latest);
        Assert.Equal(("1.0", 3UL), (p.Version, p.RollbackIndex));
        Assert.Equal(1, index.Sequence);
        Assert.Equal(TimeSpan.FromHours(24), index.ExpiresAt - index.IssuedAt);

        using HttpResponseMessage response = await Http.GetAsync(Index);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Tag(await response.Content.ReadAsByteArrayAsync()), response.Headers.ETag!.Tag);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task A_delta_package_is_listed_as_a_delta_from_its_source_release()
    {
        byte[] target = await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r2.rsim"), 1, 4, "2.0");
        var delta = new MemoryStream();
        await GoldenImage.Delta.DeltaPackageWriter.WriteAsync(new GoldenImage.Delta.DeltaPackageBuildOptions
        {
            Key = UpdateRoot.ReleaseKey,
            OpenSource = () => new MemoryStream(_package, writable: false),
            OpenTarget = () => new MemoryStream(target, writable: false),
            MaxParallelism = 1,
        }, delta);
        await File.WriteAllBytesAsync(Path.Join(_root.ChannelDirectory, "r1-to-r2.rsim"), delta.ToArray());
        await _root.Server!.ReloadAsync();

        UpdateIndex index = (await FetchIndexAsync()).Index;
        UpdatePackage d = Assert.Single(index.Packages, p => p.Kind == UpdatePackageKind.Delta);
        UpdatePackage source = Assert.Single(index.Packages, p => p.File == "r1.rsim");
        Assert.Equal(("r1-to-r2.rsim", source.ReleaseId, "2.0", 4UL, delta.Length), (d.File, d.FromRelease, d.Version, d.RollbackIndex, d.Size));
        Assert.Equal(("2.0", (ulong?)4UL), (index.Latest?.Version, index.Latest?.RollbackIndex));
    }

    [Fact]
    public async Task A_signature_asked_for_with_the_tag_of_an_older_index_is_412()
    {
        using HttpResponseMessage first = await Http.GetAsync(Index);
        EntityTagHeaderValue tag = first.Headers.ETag!;
        using (HttpResponseMessage same = await SendAsync(HttpMethod.Get, Signature, h => h.IfMatch.Add(tag)))
        {
            Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        }

        await _root.Server!.ReloadAsync();
        using HttpResponseMessage stale = await SendAsync(HttpMethod.Get, Signature, h => h.IfMatch.Add(tag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(2, (await FetchIndexAsync()).Index.Sequence);
    }

    [Theory]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=-5", -5, -1)]
    [InlineData("bytes=51000-", 51000, -1)]
    [InlineData("bytes=51000-99999999", 51000, -1)]
    public async Task A_single_range_is_206_with_exactly_those_bytes(string range, int first, int last)
    {
        int n = _package.Length;
        int from = first < 0 ? n + first : first, to = last < 0 ? n - 1 : last;
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, Package, h => h.Range = RangeHeaderValue.Parse(range));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {from}-{to}/{n}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(to - from + 1, response.Content.Headers.ContentLength);
        Assert.Equal(_package[from..(to + 1)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(Tag(_package), response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
    }

    [Fact]
    public async Task The_whole_package_has_a_strong_etag_last_modified_and_accept_ranges()
    {
        using HttpResponseMessage response = await Http.GetAsync(Package);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_package, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(Tag(_package), response.Headers.ETag!.Tag);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType!.MediaType);
        DateTimeOffset written = File.GetLastWriteTimeUtc(Path.Join(_root.ChannelDirectory, "r1.rsim"));
        Assert.Equal(UtcTimestamp.Truncate(written), response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task An_unsatisfiable_range_is_416_with_the_length()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, Package, h => h.Range = RangeHeaderValue.Parse($"bytes={_package.Length}-"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{_package.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Several_ranges_get_the_whole_file_with_200()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, Package, h => h.Range = RangeHeaderValue.Parse("bytes=0-1,5-6"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_package, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_range_with_the_current_tag_is_206_and_with_another_is_the_whole_file()
    {
        using (HttpResponseMessage current = await SendAsync(HttpMethod.Get, Package, h =>
        {
            h.Range = RangeHeaderValue.Parse("bytes=100-");
            h.IfRange = new RangeConditionHeaderValue(Tag(_package));
        }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, current.StatusCode);
            Assert.Equal(_package[100..], await current.Content.ReadAsByteArrayAsync());
        }

        using HttpResponseMessage other = await SendAsync(HttpMethod.Get, Package, h =>
        {
            h.Range = RangeHeaderValue.Parse("bytes=100-");
            h.IfRange = new RangeConditionHeaderValue("\"" + new string('0', 64) + "\"");
        });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(_package, await other.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_none_match_with_the_current_tag_is_304_without_a_body()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, Package, h => h.IfNoneMatch.Add(new EntityTagHeaderValue(Tag(_package))));
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_gives_the_headers_of_get_and_no_body()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Head, Package);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_package.Length, response.Content.Headers.ContentLength);
        Assert.Equal(Tag(_package), response.Headers.ETag!.Tag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_package_changed_on_disk_gets_a_new_tag_and_an_old_if_range_gets_the_whole_new_file()
    {
        string old = Tag(_package);
        byte[] replaced = await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r1.rsim"), 2, 3, "1.0");
        Assert.NotEqual(old, Tag(replaced));
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, Package, h =>
        {
            h.Range = RangeHeaderValue.Parse("bytes=100-");
            h.IfRange = new RangeConditionHeaderValue(old);
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Tag(replaced), response.Headers.ETag!.Tag);
        Assert.Equal(replaced, await response.Content.ReadAsByteArrayAsync());

        UpdateIndex index = (await FetchIndexAsync()).Index;
        Assert.Equal(Tag(replaced).Trim('"'), Assert.Single(index.Packages).Sha256);
        Assert.Equal(2, index.Sequence);
    }

    [Theory]
    [InlineData("/v1/board-1/stable/packages/..%2F..%2Fboard-1%2Freports.jsonl", HttpStatusCode.BadRequest)]
    [InlineData("/v1/board-1/stable/packages/%2E%2E", HttpStatusCode.NotFound)] // Kestrel removes the dot segment before routing
    [InlineData("/v1/board-1/stable/packages/.sequence", HttpStatusCode.BadRequest)]
    [InlineData("/v1/board-1/stable/packages/r1.rsim%00", HttpStatusCode.BadRequest)] // Kestrel refuses a NUL in the path itself
    [InlineData("/v1/board-1/stable/packages/other.rsim", HttpStatusCode.NotFound)]
    [InlineData("/v1/..%2Fboard-1/stable/index.json", HttpStatusCode.BadRequest)]
    [InlineData("/v1/board-1/%2E/index.json", HttpStatusCode.NotFound)]
    [InlineData("/v1/board-2/stable/index.json", HttpStatusCode.NotFound)]
    [InlineData("/v1/board-1/stable/packages/r1.rsim/x", HttpStatusCode.NotFound)]
    [InlineData("/etc/passwd", HttpStatusCode.NotFound)]
    public async Task Paths_outside_what_the_index_lists_are_refused(string path, HttpStatusCode status)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, response.StatusCode);
        if (response.Content.Headers.ContentType?.MediaType == "text/plain")
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.EndsWith("\n", body, StringComparison.Ordinal);
            Assert.Equal(1, body.Count(c => c == '\n'));
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private const string ReportBody = """{"board_id":"board-1","device_id":"dev-1","from_release":null,"to_release":"r-1","outcome":"installed","detail":"","time":"2026-01-01T00:00:00Z"}""";

    [Fact]
    public async Task A_report_is_stored_durably_and_read_back()
    {
        using (HttpResponseMessage posted = await Http.PostAsync("/v1/board-1/reports", Json(ReportBody)))
        {
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        using (HttpResponseMessage second = await Http.PostAsync("/v1/board-1/reports", Json(ReportBody.Replace("dev-1", "dev-2", StringComparison.Ordinal))))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        string[] lines = File.ReadAllLines(Path.Join(_root.Root, "board-1", InstallReportLog.FileName));
        Assert.Equal(2, lines.Length);
        InstallReport stored = InstallReport.Parse(Encoding.UTF8.GetBytes(lines[0]), allowReceivedAt: true);
        Assert.Equal(("dev-1", InstallOutcome.Installed), (stored.DeviceId, stored.Outcome));
        Assert.NotNull(stored.ReceivedAt);

        string all = await Http.GetStringAsync("/v1/board-1/reports");
        Assert.Contains("\"skipped_lines\": 0", all, StringComparison.Ordinal);
        Assert.Contains(lines[0], all, StringComparison.Ordinal);
        Assert.Contains(lines[1], all, StringComparison.Ordinal);
        string last = await Http.GetStringAsync("/v1/board-1/reports?limit=1");
        Assert.DoesNotContain(lines[0], last, StringComparison.Ordinal);
        Assert.Contains(lines[1], last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_last_line_is_skipped_and_the_next_report_starts_a_new_line()
    {
        string log = Path.Join(_root.Root, "board-1", InstallReportLog.FileName);
        await File.WriteAllTextAsync(log, ReportBody[..40]);
        using (HttpResponseMessage posted = await Http.PostAsync("/v1/board-1/reports", Json(ReportBody)))
        {
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        Assert.Equal(2, File.ReadAllLines(log).Length);
        string all = await Http.GetStringAsync("/v1/board-1/reports");
        Assert.Contains("\"skipped_lines\": 1", all, StringComparison.Ordinal);
        Assert.Contains("\"device_id\":\"dev-1\"", all, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown", HttpStatusCode.BadRequest, "report: $.firmware: expected one of the fields")]
    [InlineData("board", HttpStatusCode.BadRequest, "report: $.board_id: expected \"board-1\" (the board of the URL), found \"board-9\"")]
    [InlineData("oversize", HttpStatusCode.RequestEntityTooLarge, "over the 8192-byte limit")]
    [InlineData("type", HttpStatusCode.UnsupportedMediaType, "expected application/json")]
    [InlineData("malformed", HttpStatusCode.BadRequest, "report: $: expected well-formed JSON")]
    public async Task Bad_reports_are_refused_and_not_stored(string kind, HttpStatusCode status, string message)
    {
        HttpContent content = kind switch
        {
            "unknown" => Json(ReportBody.Replace("}", ",\"firmware\":\"x\"}", StringComparison.Ordinal)),
            "board" => Json(ReportBody.Replace("\"board-1\"", "\"board-9\"", StringComparison.Ordinal)),
            "oversize" => Json(ReportBody.Replace("\"detail\":\"\"", $"\"detail\":\"{new string('x', 9000)}\"", StringComparison.Ordinal)),
            "type" => new StringContent(ReportBody, Encoding.UTF8, "text/plain"),
            _ => Json(ReportBody[..^1]),
        };
        using HttpResponseMessage response = await Http.PostAsync("/v1/board-1/reports", content);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(_root.Root, "board-1", InstallReportLog.FileName)));
    }

    [Fact]
    public async Task Reports_for_a_board_the_server_does_not_have_are_404()
    {
        using HttpResponseMessage response = await Http.PostAsync("/v1/board-9/reports", Json(ReportBody.Replace("\"board-1\"", "\"board-9\"", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>Scanning the root: what is left out and why, and the indexes signed afresh before they expire.</summary>
public sealed class UpdateServerCatalogTests : IAsyncLifetime
{
    private readonly UpdateRoot _root = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _root.DisposeAsync();

    [Fact]
    public async Task Files_that_are_not_packages_for_the_board_are_left_out_with_a_reason()
    {
        await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r1.rsim"), 1, 3, "1.0");
        await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r2.rsim"), 2, 5, "2.0");
        await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "other.rsim"), 3, 9, "9.0", board: "board-7");
        await File.WriteAllTextAsync(Path.Join(_root.ChannelDirectory, "junk.rsim"), "not a tar");
        UpdateServer server = await _root.StartAsync();
        UpdateIndex index = UpdateIndex.Parse(server.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json);
        Assert.Equal(["r1.rsim", "r2.rsim"], index.Packages.Select(p => p.File));
        Assert.Equal(("2.0", 5UL), (index.Latest!.Version, index.Latest.RollbackIndex));
        string[] skipped = [.. _root.Events.Where(e => e.Kind == "skipped").Select(e => e.Message)];
        Assert.Contains(skipped, m => m.StartsWith("board-1/stable/other.rsim: left out: its manifest is for board board-7, not 'board-1'", StringComparison.Ordinal));
        Assert.Contains(skipped, m => m.StartsWith("board-1/stable/junk.rsim: left out: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_package_not_signed_by_a_package_key_is_left_out()
    {
        await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r1.rsim"), 1, 3, "1.0");
        byte[] forged = File.ReadAllBytes(Path.Join(_root.ChannelDirectory, "r1.rsim"));
        forged[520] ^= 1; // inside manifest.json, after its 512-byte tar header
        File.WriteAllBytes(Path.Join(_root.ChannelDirectory, "r2.rsim"), forged);
        UpdateServer server = await _root.StartAsync();
        Assert.Equal(["r1.rsim"], UpdateIndex.Parse(server.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json).Packages.Select(p => p.File));
        Assert.Contains(_root.Events, e => e.Kind == "skipped" && e.Message.StartsWith("board-1/stable/r2.rsim: left out: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_channel_has_an_index_with_no_latest_release()
    {
        UpdateServer server = await _root.StartAsync();
        UpdateIndex index = UpdateIndex.Parse(server.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json);
        Assert.Null(index.Latest);
        Assert.Empty(index.Packages);
    }

    [Fact]
    public async Task Indexes_are_signed_again_every_half_validity_with_the_next_sequence()
    {
        var clock = new ManualTimeProvider();
        UpdateServer server = await _root.StartAsync(clock, TimeSpan.FromHours(2));
        UpdateIndex first = UpdateIndex.Parse(server.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json);
        clock.Advance(TimeSpan.FromHours(1));
        UpdateIndex second = first;
        for (int i = 0; i < 500 && second.Sequence == first.Sequence; i++)
        {
            await Task.Delay(10);
            second = UpdateIndex.Parse(server.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json);
        }

        Assert.Equal(first.Sequence + 1, second.Sequence);
        Assert.Equal(first.ExpiresAt + TimeSpan.FromHours(1), second.ExpiresAt);
        Assert.Equal("2\n", File.ReadAllText(Path.Join(_root.ChannelDirectory, CatalogBuilder.SequenceFile)));
    }

    [Fact]
    public async Task The_sequence_survives_a_restart()
    {
        await (await _root.StartAsync()).DisposeAsync();
        await using var again = new UpdateServer(_root.Server!.Options);
        await again.StartAsync();
        Assert.Equal(2, UpdateIndex.Parse(again.IndexOf(UpdateRoot.Board, UpdateRoot.Channel)!.Json).Sequence);
    }

    [Fact]
    public async Task A_root_that_is_not_a_directory_is_refused_at_start()
    {
        await using var server = new UpdateServer(new UpdateServerOptions { Root = Path.Join(_root.Root, "missing"), IndexKey = UpdateRoot.IndexKey });
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => server.StartAsync());
        Assert.Contains("is not an existing directory", e.Message, StringComparison.Ordinal);
    }
}
