using System.Net;
using System.Text.Json;
using RecoverySim.Lab.Benches;
using RecoverySim.Lab.Web;

namespace RecoverySim.Web.Tests.Fixtures;

/// <summary>
/// A bench of boards in a temporary directory and its dashboard in-process on 127.0.0.1 (HTTP and
/// TFTP on free ports), with an HttpClient that holds a session (cookie and token) as the page does.
/// </summary>
public sealed class Dashboard : IAsyncDisposable
{
    private readonly DirectoryInfo _root;

    private Dashboard(DirectoryInfo root, DashboardServer server, HttpClient client, string token)
    {
        _root = root;
        Server = server;
        Client = client;
        Token = token;
    }

    /// <summary>The server.</summary>
    public DashboardServer Server { get; }

    /// <summary>A client with the session cookie (no token header: each test adds it or not).</summary>
    public HttpClient Client { get; }

    /// <summary>The session's token, as the page carries it.</summary>
    public string Token { get; }

    /// <summary>The bench directory.</summary>
    public string BenchDirectory => Server.Bench.Bench.Directory;

    /// <summary>The repository's scenarios/ directory.</summary>
    public static string Scenarios => Path.Combine(RecoverySim.Interop.Tests.Peers.PeerTool.RepositoryRoot, "scenarios");

    /// <summary>Creates a bench of <paramref name="boards"/> boards and serves it.</summary>
    public static async Task<Dashboard> StartAsync(int boards = 2, bool withScenarios = false)
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("recoverysim-web-tests-");
        string bench = Path.Combine(root.FullName, "bench");
        await Bench.CreateAsync(bench, new BenchCreateOptions { Boards = boards, Seed = 7 });
        var server = new DashboardServer(new DashboardOptions
        {
            Bench = bench,
            Port = 0,
            TftpPort = 0,
            ScenarioDirectories = withScenarios ? [Scenarios] : [],
            SampleInterval = TimeSpan.FromMilliseconds(100),
        });
        await server.StartAsync();
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        string page = await client.GetStringAsync("/");
        return new Dashboard(root, server, client, TokenOf(page));
    }

    /// <summary>The token in a page's <c>rsim-token</c> meta tag.</summary>
    public static string TokenOf(string page)
    {
        const string Marker = "<meta name=\"rsim-token\" content=\"";
        int at = page.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the page carries no token");
        int start = at + Marker.Length;
        return page[start..page.IndexOf('"', start)];
    }

    /// <summary>POSTs <paramref name="fields"/> as a form to <paramref name="path"/>, with the token header unless <paramref name="withToken"/> is false.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, IReadOnlyDictionary<string, string>? fields = null, bool withToken = true, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields ?? new Dictionary<string, string>()) };
        if (withToken)
        {
            request.Headers.Add(SessionTokens.HeaderName, Token);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using HttpResponseMessage response = await Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>A board's state as the API returns it.</summary>
    public async Task<JsonElement> BoardAsync(string name)
    {
        using JsonDocument json = JsonDocument.Parse(await Client.GetStringAsync($"/api/boards/{name}"));
        return json.RootElement.Clone();
    }

    /// <summary>SHA-256 of a board's files (disk.img, rpmb.bin, board.json): for "the board is unchanged".</summary>
    public string FilesHash(string name)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (string file in new[] { "disk.img", "rpmb.bin", "board.json" })
        {
            hash.AppendData(File.ReadAllBytes(Path.Combine(BenchDirectory, name, file)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _root.Delete(recursive: true);
    }
}
