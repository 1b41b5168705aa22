using System.Net;
using Microsoft.AspNetCore.Builder;
using RecoverySim.Lab.Benches;
using RecoverySim.Lab.Hosting;

namespace RecoverySim.Lab.Web;

/// <summary>
/// The bench dashboard (DESIGN.md "Command line", <c>web</c>; docs/WEB.md): one page for a bench
/// directory, its JSON API and its server-sent event stream, on Kestrel from the shared framework
/// the way <see cref="Updates.UpdateServer"/> is hosted (a slim builder, plain request delegates, no
/// reflection, loopback by default). It runs the bench (<see cref="RunningBench"/>: the boards, the
/// bench's TFTP server, the campaign runner) for as long as it serves.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly DashboardOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private bool _disposed;

    /// <summary>Creates the server; nothing is read or bound before <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DashboardServer(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options.</summary>
    public DashboardOptions Options => _options;

    /// <summary>The running bench; valid after <see cref="StartAsync"/>.</summary>
    public RunningBench Bench { get; private set; } = null!;

    /// <summary>The event fan-out to open streams.</summary>
    public EventFeed Feed { get; } = new();

    /// <summary>The session tokens of this process.</summary>
    public SessionTokens Tokens { get; } = new();

    /// <summary>The address and port bound (the real port when 0 was asked for); valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary><c>http://ADDRESS:PORT/</c> of <see cref="LocalEndPoint"/>.</summary>
    public Uri BaseAddress => SlimKestrel.BaseAddress(LocalEndPoint);

    /// <summary>Cancelled when the server stops (ends the event streams).</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Opens the bench, starts its TFTP server, binds the port and starts serving.</summary>
    /// <exception cref="BenchException">The bench directory is missing or bad.</exception>
    /// <exception cref="IOException">A port cannot be bound.</exception>
    public async Task StartAsync(CancellationToken cancel = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }

        Bench = await RunningBench.StartAsync(_options.Bench, _options.Time, _options.TftpPort, _options.SampleInterval, cancel).ConfigureAwait(false);
        Bench.Changed += Feed.Publish;
        WebApplication app = Build();
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await Bench.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _app = app;
        LocalEndPoint = SlimKestrel.BoundEndPoint(app, _options.Address);
    }

    /// <summary>The scenario files the page may start a campaign over, by file name (the first directory that has a name wins).</summary>
    public IReadOnlyList<(string Name, string Path)> Scenarios()
    {
        var found = new List<(string, string)>();
        IEnumerable<string> directories = [Path.Combine(Bench.Bench.Directory, "scenarios"), .. _options.ScenarioDirectories];
        foreach (string directory in directories.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(file);
                if (!name.EndsWith(".schema.json", StringComparison.Ordinal) && !found.Any(f => f.Item1 == name))
                {
                    found.Add((name, Path.GetFullPath(file)));
                }
            }
        }

        return found;
    }

    /// <summary>Ends the event streams and stops accepting requests, letting those in flight finish within <paramref name="grace"/>; <see cref="DisposeAsync"/> then stops the bench (its TFTP server, sampler and campaign).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_disposed)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await SlimKestrel.StopAsync(_app, grace).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _disposed = true;
        await SlimKestrel.DisposeAsync(_app).ConfigureAwait(false);
        _app = null;

        if (Bench is not null)
        {
            Bench.Changed -= Feed.Publish;
            await Bench.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private WebApplication Build()
    {
        WebApplication app = SlimKestrel.Build("recoverysim-web", _options.Address, _options.Port, FormValues.MaxBodyBytes);
        var api = new DashboardApi(this);
        app.Use(api.GuardAsync);
        app.MapGet("/", api.PageAsync);
        app.MapGet("/assets/{file}", api.AssetAsync);
        app.MapGet("/api/bench", api.BenchAsync);
        app.MapGet("/api/events", api.EventsAsync);
        app.MapGet("/api/boards/{board}", api.BoardAsync);
        app.MapPost("/api/boards/{board}/{action}", api.ActionAsync);
        app.MapPost("/api/campaign", api.CampaignAsync);
        app.MapFallback(api.NotFoundAsync);
        return app;
    }
}
