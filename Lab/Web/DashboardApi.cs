using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Lab.Web;

/// <summary>
/// The request handlers of <see cref="DashboardServer"/> (docs/WEB.md "API"), plain
/// <see cref="RequestDelegate"/>s: no parameter binding, nothing generated or reflected. Every
/// state-changing request passes <see cref="GuardAsync"/> first (Host, Origin, Fetch Metadata,
/// session token); then, in this order: the board exists (404), the form is well-formed (400
/// naming the field), the board is free (409); only then does the action touch the board.
/// </summary>
internal sealed class DashboardApi(DashboardServer server)
{
    private const string PageSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly string[] BoardActions = ["power-cycle", "cut-power", "corrupt", "recovery", "settings", "approve", "update-check"];

    private RunningBench Bench => server.Bench;

    /// <summary>Security headers on every response; Host checked on every request; Origin, Fetch Metadata and the session token on every POST.</summary>
    public async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        HttpResponse response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
        HttpRequest request = context.Request;
        if (IPAddress.IsLoopback(server.Options.Address) && !IsLoopbackHost(request.Host))
        {
            // DNS rebinding: a name that resolves to 127.0.0.1 must not make this another site's origin.
            await FailAsync(context, StatusCodes.Status421MisdirectedRequest, $"Host {StrictJson.Quote(request.Host.Value ?? "")} refused: the dashboard listens on loopback and answers to 127.0.0.1, [::1] or localhost only").ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (string.IsNullOrEmpty(request.Headers[SessionTokens.HeaderName]))
            {
                try
                {
                    await ReadBodyAsync(request).ConfigureAwait(false);
                }
                catch (FormValueException e)
                {
                    await FailAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
                    return;
                }
            }

            string? refusal = CrossSiteRefusal(request);
            if (refusal is not null)
            {
                await FailAsync(context, StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The page, with the session's token; a new session cookie when the request has no valid one.</summary>
    public async Task PageAsync(HttpContext context)
    {
        string? session = context.Request.Cookies[SessionTokens.CookieName];
        if (!SessionTokens.IsSessionId(session))
        {
            session = SessionTokens.NewSession();
            context.Response.Cookies.Append(SessionTokens.CookieName, session, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                Secure = false, // plain HTTP on loopback; SameSite=Strict and the token do the work
                IsEssential = true,
            });
        }

        string page = DashboardAssets.Text("index.html").Replace("{{TOKEN}}", server.Tokens.TokenFor(session!), StringComparison.Ordinal);
        context.Response.Headers.ContentSecurityPolicy = PageSecurityPolicy;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(page, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The page's script and style sheet.</summary>
    public async Task AssetAsync(HttpContext context)
    {
        string file = context.Request.RouteValues["file"] as string ?? "";
        if (DashboardAssets.ContentType(file) is not { } type)
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = type;
        await context.Response.Body.WriteAsync(DashboardAssets.Bytes(file), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The whole bench as one JSON object: what the page draws first.</summary>
    public Task BenchAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, WriteBench);

    /// <summary>One board's snapshot.</summary>
    public async Task BoardAsync(HttpContext context)
    {
        if (await FindAsync(context).ConfigureAwait(false) is { } board)
        {
            await WriteAsync(context, StatusCodes.Status200OK, board.Snapshot.WriteJson).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The event stream (<c>text/event-stream</c>, HTML "Server-sent events"): first a <c>bench</c>
    /// event with the whole state, then every change as it happens, until the client leaves or
    /// the server stops.
    /// </summary>
    public async Task EventsAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";
        using EventSubscription subscription = server.Feed.Subscribe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping);
        try
        {
            await response.WriteAsync("retry: 2000\n\n", stop.Token).ConfigureAwait(false);
            await SendAsync(response, new BenchEvent("bench", StrictJson.Write(WriteBench, indented: false)), stop.Token).ConfigureAwait(false);
            await foreach (BenchEvent e in subscription.Events.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await SendAsync(response, e, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A board action: <c>power-cycle</c>, <c>cut-power</c>, <c>corrupt</c>, <c>recovery</c>, <c>settings</c>, <c>approve</c>, <c>update-check</c>.</summary>
    public async Task ActionAsync(HttpContext context)
    {
        if (await FindAsync(context).ConfigureAwait(false) is not { } board)
        {
            return;
        }

        string action = context.Request.RouteValues["action"] as string ?? "";
        if (!BoardActions.Contains(action))
        {
            await FailAsync(context, StatusCodes.Status404NotFound, $"no action '{Shorten(action)}' on a board (actions: {string.Join(", ", BoardActions)})").ConfigureAwait(false);
            return;
        }

        try
        {
            BoardSnapshot after;
            switch (action)
            {
                case "power-cycle":
                    await ReadFormAsync(context, []).ConfigureAwait(false);
                    after = await Bench.PowerCycleAsync(board, server.Stopping).ConfigureAwait(false);
                    break;
                case "cut-power":
                    await ReadFormAsync(context, []).ConfigureAwait(false);
                    after = board.CutPower();
                    break;
                case "recovery":
                    await ReadFormAsync(context, []).ConfigureAwait(false);
                    after = board.RequestRecovery();
                    break;
                case "settings":
                    FormValues settings = await ReadFormAsync(context, ["wifi_only", "require_approval", "window_start", "window_end", "network"]).ConfigureAwait(false);
                    after = board.ChangeSettings(Settings(settings));
                    break;
                case "approve":
                    await ReadFormAsync(context, []).ConfigureAwait(false);
                    after = board.ApproveUpdate();
                    break;
                case "update-check":
                    await ReadFormAsync(context, []).ConfigureAwait(false);
                    after = await board.CheckForUpdatesAsync(server.Options.Time, server.Stopping).ConfigureAwait(false);
                    break;
                default:
                    FormValues form = await ReadFormAsync(context, ["partition", "damage", "offset", "length", "count", "seed"]).ConfigureAwait(false);
                    after = board.Corrupt(Corruption(form, board.Snapshot));
                    break;
            }

            await WriteAsync(context, StatusCodes.Status200OK, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("message", $"{board.Name}: {after.LastAction}");
                w.WritePropertyName("board");
                after.WriteJson(w);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
        catch (FormValueException e)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"{board.Name}: {action}: {e.Message}; the board is unchanged").ConfigureAwait(false);
        }
        catch (ActionConflictException e)
        {
            await FailAsync(context, StatusCodes.Status409Conflict, e.Message).ConfigureAwait(false);
        }
        catch (BoardException e) when (action is "corrupt" or "settings")
        {
            // PartitionCorruption checks the damage against the partition, and BoardSettings the new
            // board.json against its rules, before either writes.
            await FailAsync(context, StatusCodes.Status400BadRequest, $"{board.Name}: {action}: {e.Message}; the board is unchanged").ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (action == "approve")
        {
            await FailAsync(context, StatusCodes.Status409Conflict, $"{board.Name}: approve: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is BoardException or ImageException or IOException or UnauthorizedAccessException)
        {
            // The board directory or its files went bad under the dashboard: say so, as the command line would.
            await FailAsync(context, StatusCodes.Status500InternalServerError, $"{board.Name}: {action} failed: {e.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Starts a power-cut campaign: <c>scenario</c> (a file name the page lists), <c>samples</c>, <c>seed</c>.</summary>
    public async Task CampaignAsync(HttpContext context)
    {
        try
        {
            FormValues form = await ReadFormAsync(context, ["scenario", "samples", "seed"]).ConfigureAwait(false);
            IReadOnlyList<(string Name, string Path)> scenarios = server.Scenarios();
            string name = form.Choice("scenario", [.. scenarios.Select(s => s.Name)]);
            int samples = (int)form.Integer("samples", 1, BenchCampaign.MaxSamples, 50);
            long seed = form.Integer("seed", 0, long.MaxValue, 1);
            Bench.StartCampaign(scenarios.First(s => s.Name == name).Path, samples, seed);
            await WriteAsync(context, StatusCodes.Status202Accepted, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("message", $"campaign over {name} started: {samples} generated crash states, seed {seed}");
                w.WritePropertyName("campaign");
                Bench.Campaign.WriteJson(w);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
        catch (FormValueException e)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"campaign: {e.Message}").ConfigureAwait(false);
        }
        catch (ActionConflictException e)
        {
            await FailAsync(context, StatusCodes.Status409Conflict, e.Message).ConfigureAwait(false);
        }
        catch (JsonInputException e)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"campaign: {e.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>404 for everything else, as JSON.</summary>
    public Task NotFoundAsync(HttpContext context) =>
        FailAsync(context, StatusCodes.Status404NotFound, $"no such page or endpoint: {context.Request.Method} {Shorten(context.Request.Path.Value ?? "")}");

    private static CorruptionRequest Corruption(FormValues form, BoardSnapshot board)
    {
        string partition = form.Choice("partition", board.PartitionNames);
        string damage = form.Choice("damage", CorruptionRequest.Damages);
        return new CorruptionRequest(partition, damage)
        {
            Offset = damage == "range" ? form.Integer("offset", 0, long.MaxValue) : 0,
            Length = damage == "range" ? form.Integer("length", 1, long.MaxValue, 1) : 1,
            Count = damage == "bit-flips" ? (int)form.Integer("count", 1, PartitionCorruption.MaxBitFlips, 8) : 8,
            Seed = damage == "bit-flips" ? (int)form.Integer("seed", int.MinValue, int.MaxValue, 1) : 1,
        };
    }

    private static DeviceSettingsChange Settings(FormValues form)
    {
        TimeOnly? start = form.TimeOfDay("window_start"), end = form.TimeOfDay("window_end");
        MaintenanceWindow? window = null;
        if (start is not null || end is not null)
        {
            if (start is null || end is null || start == end)
            {
                throw new FormValueException(start is null ? "window_start" : "window_end", "a window start and a different end (HH:MM, UTC), or neither for any time",
                    start is null ? "nothing" : end is null ? "nothing" : $"the start again ({end:HH\\:mm})");
            }

            window = new MaintenanceWindow(start.Value, end.Value);
        }

        string network = form.Choice("network", [.. NetworkTypeNames.All.Select(n => n.Name)]);
        NetworkTypeNames.TryParse(network, out NetworkType type);
        return new DeviceSettingsChange(form.Boolean("wifi_only"), window, form.Boolean("require_approval"), type);
    }

    /// <summary>Why a POST is refused as cross-site, or null: Fetch Metadata, then Origin, then the session cookie and its token.</summary>
    private string? CrossSiteRefusal(HttpRequest request)
    {
        string? site = request.Headers["Sec-Fetch-Site"];
        if (site is not null && site is not ("same-origin" or "none"))
        {
            return $"cross-site request refused (Sec-Fetch-Site: {Shorten(site)}): actions come from the dashboard's own page";
        }

        string? origin = request.Headers.Origin;
        string own = $"{request.Scheme}://{request.Host.Value}";
        if (origin is not null && !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
        {
            return $"cross-site request refused (Origin {StrictJson.Quote(origin)} is not {own})";
        }

        string? session = request.Cookies[SessionTokens.CookieName];
        string? token = request.Headers[SessionTokens.HeaderName];
        return server.Tokens.IsValid(session, token) || server.Tokens.IsValid(session, TokenField(request))
            ? null
            : $"missing or wrong session token: a state-changing request needs the session cookie and its token (header {SessionTokens.HeaderName} or field '{SessionTokens.FieldName}'); reload the page";
    }

    /// <summary>The <c>token</c> field of a form body read ahead by <see cref="ReadBodyAsync"/>, or null.</summary>
    private static string? TokenField(HttpRequest request) =>
        request.HttpContext.Items[BodyKey] is string body
            ? body.Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == SessionTokens.FieldName)?[1]
            : null;

    private const string BodyKey = "recoverysim.body";

    /// <summary>Reads a POST body once (at most <see cref="FormValues.MaxBodyBytes"/>, UTF-8) into the request's items.</summary>
    internal static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        if (request.HttpContext.Items[BodyKey] is string read)
        {
            return read;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[4096];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > FormValues.MaxBodyBytes)
            {
                throw new FormValueException("(body)", $"at most {FormValues.MaxBodyBytes} bytes", "more");
            }
        }

        string body;
        try
        {
            body = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new FormValueException("(body)", "UTF-8", "an invalid UTF-8 sequence");
        }

        request.HttpContext.Items[BodyKey] = body;
        return body;
    }

    private static async Task<FormValues> ReadFormAsync(HttpContext context, string[] fields)
    {
        string? type = context.Request.ContentType;
        string body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (body.Length > 0 && (type is null || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FormValueException("(body)", "application/x-www-form-urlencoded", StrictJson.Quote(type ?? "no Content-Type"));
        }

        return FormValues.Parse(body, [.. fields, SessionTokens.FieldName]);
    }

    private async Task<BenchBoard?> FindAsync(HttpContext context)
    {
        string name = context.Request.RouteValues["board"] as string ?? "";
        if (Bench.Board(name) is { } board)
        {
            return board;
        }

        await FailAsync(context, StatusCodes.Status404NotFound, $"no board '{Shorten(name)}' on this bench (boards: {string.Join(", ", Bench.Bench.Boards)})").ConfigureAwait(false);
        return null;
    }

    private void WriteBench(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartObject("bench");
        w.WriteString("directory", Bench.Bench.Directory);
        w.WriteString("board_id", Bench.Bench.Config.BoardId);
        w.WriteString("golden_image", Bench.Bench.Config.TftpFile);
        w.WriteString("tftp_endpoint", Bench.TftpEndPoint.ToString());
        w.WriteEndObject();
        w.WriteStartArray("boards");
        foreach (BenchBoard board in Bench.Boards)
        {
            board.Snapshot.WriteJson(w);
        }

        w.WriteEndArray();
        w.WritePropertyName("tftp");
        Bench.Activity.WriteJson(w, Bench.TftpEndPoint, Bench.ActiveTransfers);
        w.WritePropertyName("campaign");
        Bench.Campaign.WriteJson(w);
        w.WriteStartArray("scenarios");
        foreach ((string name, _) in server.Scenarios())
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static async Task SendAsync(HttpResponse response, BenchEvent e, CancellationToken cancel)
    {
        // One "event:" line and one "data:" line: the JSON is written on one line, so it has no newline.
        await response.WriteAsync($"event: {e.Kind}\ndata: ", cancel).ConfigureAwait(false);
        await response.Body.WriteAsync(e.Json, cancel).ConfigureAwait(false);
        await response.WriteAsync("\n\n", cancel).ConfigureAwait(false);
        await response.Body.FlushAsync(cancel).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        byte[] json = StrictJson.Write(write, indented: false);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task FailAsync(HttpContext context, int status, string error) => WriteAsync(context, status, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", false);
        w.WriteNumber("status", status);
        w.WriteString("error", error);
        w.WriteEndObject();
    });

    private static bool IsLoopbackHost(HostString host)
    {
        string name = host.Host;
        return name is "localhost" or "127.0.0.1" or "[::1]" || (IPAddress.TryParse(name.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
