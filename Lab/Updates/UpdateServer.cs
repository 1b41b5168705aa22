using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Hosting;

namespace RecoverySim.Lab.Updates;

/// <summary>
/// The update server (DESIGN.md "Command line", <c>update-server</c>; docs/FORMAT.md "Update server
/// HTTP API"): Kestrel from the shared framework (a slim builder, minimal APIs bound to plain
/// request delegates, no reflection, so the command line stays native-AOT compiled). It serves a
/// signed index per board and channel, the packages with single byte ranges, strong ETags from
/// their SHA-256, <c>If-Range</c>, <c>If-None-Match</c> and <c>Last-Modified</c>, and takes the
/// devices' install reports. <see cref="ReloadAsync"/> (SIGHUP in the command line) reads the root
/// again; indexes are signed afresh every half validity, before they expire.
/// </summary>
public sealed class UpdateServer : IAsyncDisposable
{
    private readonly UpdateServerOptions _options;
    private readonly CatalogBuilder _builder;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private Task _refresh = Task.CompletedTask;
    private UpdateCatalog _catalog = UpdateCatalog.Empty;
    private bool _disposed;

    /// <summary>Creates the server; nothing is read or bound before <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public UpdateServer(UpdateServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options with { Root = Path.GetFullPath(options.Root) };
        _builder = new CatalogBuilder(_options);
        Reports = new InstallReportLog(_options.Root);
    }

    /// <summary>The options, with <see cref="UpdateServerOptions.Root"/> made absolute.</summary>
    public UpdateServerOptions Options => _options;

    /// <summary>The address and port bound (the real port when 0 was asked for); valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary><c>http://ADDRESS:PORT/</c> of <see cref="LocalEndPoint"/>.</summary>
    public Uri BaseAddress => SlimKestrel.BaseAddress(LocalEndPoint);

    /// <summary>Board directories served.</summary>
    public int BoardCount => _catalog.Boards.Count;

    /// <summary>Board and channel indexes served.</summary>
    public int ChannelCount => _catalog.Channels.Count;

    /// <summary>Packages listed, all indexes together.</summary>
    public int PackageCount => _catalog.PackageCount;

    internal UpdateCatalog Catalog => Volatile.Read(ref _catalog);

    internal InstallReportLog Reports { get; }

    /// <summary>The signed index served for <paramref name="board"/> and <paramref name="channel"/>, or null.</summary>
    public SignedUpdateIndex? IndexOf(string board, string channel) => Catalog.Find(board, channel)?.Signed;

    /// <summary>Reads the root, signs the indexes, binds the port and starts serving.</summary>
    /// <exception cref="DirectoryNotFoundException">The root is not a directory.</exception>
    /// <exception cref="IOException">The root cannot be read, a sequence file is bad, or the port cannot be bound.</exception>
    public async Task StartAsync(CancellationToken cancel = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }

        await ReloadAsync(cancel).ConfigureAwait(false);
        WebApplication app = Build();
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _app = app;
        LocalEndPoint = SlimKestrel.BoundEndPoint(app, _options.Address);
        Emit("listening", $"serving {_options.Root} on {BaseAddress} ({BoardCount} boards, {ChannelCount} channels, {PackageCount} packages)");
        _refresh = RefreshLoopAsync(_stopping.Token);
    }

    /// <summary>
    /// Reads the root again and swaps in the new indexes (each with the next sequence); requests in
    /// flight finish with the old ones. One reload at a time. A root that cannot be read keeps the
    /// old catalog and throws.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancel = default)
    {
        await _reload.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            UpdateCatalog catalog = await _builder.BuildAsync(cancel).ConfigureAwait(false);
            Volatile.Write(ref _catalog, catalog);
            Emit("reload", $"{catalog.Boards.Count} boards, {catalog.Channels.Count} channels, {catalog.PackageCount} packages");
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Stops accepting requests and lets those in flight finish within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_disposed)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refresh.ConfigureAwait(false);
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

        _stopping.Dispose();
        _reload.Dispose();
    }

    internal void Emit(UpdateServerEvent e) => _options.Events?.Invoke(e);

    private void Emit(string kind, string message) => Emit(new UpdateServerEvent(_options.Time.GetUtcNow(), kind, message));

    private WebApplication Build()
    {
        WebApplication app = SlimKestrel.Build("recoverysim-update-server", _options.Address, _options.Port, InstallReport.MaxLength);
        var api = new UpdateApi(this);
        app.Use(api.LogAsync);
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/v1/{board}/{channel}/index.json", read, api.IndexAsync);
        app.MapMethods("/v1/{board}/{channel}/index.sig", read, api.SignatureAsync);
        app.MapMethods("/v1/{board}/{channel}/packages/{file}", read, api.PackageAsync);
        app.MapPost("/v1/{board}/reports", api.PostReportAsync);
        app.MapGet("/v1/{board}/reports", api.GetReportsAsync);
        app.MapFallback(api.NotFoundAsync);
        return app;
    }

    /// <summary>Signs every index again each half validity, so none a client fetches is close to expiry.</summary>
    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.IndexValidity / 2, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await ReloadAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Emit("error", $"refresh: {e.Message}; the previous indexes are still served");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
