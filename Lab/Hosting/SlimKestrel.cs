using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RecoverySim.Lab.Hosting;

/// <summary>
/// How the Lab's HTTP servers (the update server, the bench dashboard) host Kestrel: from the
/// shared framework, a slim builder with routing only, minimal APIs over plain request delegates
/// (no reflection, so the command line stays native-AOT compiled), one listening address, and no
/// settings but the caller's: no appsettings.json, no ASPNETCORE_ variables, no file watcher, no
/// console logger.
/// </summary>
internal static class SlimKestrel
{
    /// <summary>A slim application listening on <paramref name="address"/>:<paramref name="port"/> (0: a free port), with request bodies capped at <paramref name="maxRequestBodySize"/> bytes.</summary>
    public static WebApplication Build(string applicationName, IPAddress address, int port, long maxRequestBodySize)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = applicationName,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodySize;
            kestrel.Listen(address, port);
        });
        builder.Services.AddRoutingCore();
        return builder.Build();
    }

    /// <summary>The endpoint a started <paramref name="app"/> listens on (the real port when 0 was asked for).</summary>
    public static IPEndPoint BoundEndPoint(WebApplication app, IPAddress address)
    {
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IPEndPoint(address, new Uri(bound).Port);
    }

    /// <summary><c>http://ADDRESS:PORT/</c> of <paramref name="endPoint"/> (an IPv6 address in brackets).</summary>
    public static Uri BaseAddress(IPEndPoint endPoint) =>
        new($"http://{(endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString())}:{endPoint.Port}/");

    /// <summary>Stops <paramref name="app"/> (when started), letting requests in flight finish within <paramref name="grace"/>.</summary>
    public static async Task StopAsync(WebApplication? app, TimeSpan grace)
    {
        if (app is not null)
        {
            using var timeout = new CancellationTokenSource(grace);
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes <paramref name="app"/> when it was started.</summary>
    public static async Task DisposeAsync(WebApplication? app)
    {
        if (app is not null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
