using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>
/// The request handlers of <see cref="UpdateServer"/> (docs/FORMAT.md "Update server HTTP API"),
/// plain <see cref="RequestDelegate"/>s: no parameter binding, so nothing is generated or
/// reflected. Every path segment is checked against the rule of what it names before it is used,
/// and a package is looked up by name in the index, never joined to a path from the request.
/// Ranges, <c>If-Range</c>, <c>If-None-Match</c>, <c>If-Match</c> and HEAD are ASP.NET Core's
/// file result (RFC 9110 sections 13 and 14: one range; a multi-range request gets the whole file).
/// </summary>
internal sealed class UpdateApi(UpdateServer server)
{
    private const string PackageContentType = "application/x-tar";

    /// <summary>Logs every request as one <c>request</c> event once its response has started.</summary>
    public async Task LogAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            HttpRequest request = context.Request;
            server.Emit(new UpdateServerEvent(server.Options.Time.GetUtcNow(), "request",
                $"{request.Method} {request.Path}{request.QueryString} {context.Response.StatusCode}")
            {
                Method = request.Method,
                Path = request.Path.Value + request.QueryString.Value,
                Status = context.Response.StatusCode,
                Bytes = context.Response.ContentLength,
                Remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}",
            });
        }
    }

    public Task IndexAsync(HttpContext context) => ServeIndexAsync(context, signature: false);

    public Task SignatureAsync(HttpContext context) => ServeIndexAsync(context, signature: true);

    public async Task PackageAsync(HttpContext context)
    {
        if (await Channel(context).ConfigureAwait(false) is not { } channel)
        {
            return;
        }

        string file = Segment(context, "file");
        if (!UpdateIndex.IsPackageFileName(file))
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"package file {StrictJson.Quote(file)}: expected 1 to {UpdateIndex.MaxFileNameLength} of A-Z a-z 0-9 . _ - starting with a letter or digit, ending in {UpdateIndex.PackageExtension}").ConfigureAwait(false);
            return;
        }

        for (int attempt = 0; ; attempt++)
        {
            if (!channel.Packages.TryGetValue(file, out CatalogPackage? package))
            {
                await FailAsync(context, StatusCodes.Status404NotFound, $"no package '{file}' in the index of {channel.BoardId}/{channel.Channel}").ConfigureAwait(false);
                return;
            }

            FileStream stream;
            try
            {
                stream = new FileStream(package.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 0)
                {
                    channel = await ReloadAsync(context, channel).ConfigureAwait(false);
                    continue;
                }

                await FailAsync(context, StatusCodes.Status404NotFound, $"package '{file}' of {channel.BoardId}/{channel.Channel} cannot be opened: {e.Message}").ConfigureAwait(false);
                return;
            }

            // The entity tag is the hash of the bytes the index lists: a file that changed since
            // (another length or time) is read again, and the index signed again, before it is
            // served, so an old tag never labels new bytes.
            DateTime written = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            if (stream.Length != package.Entry.Size || written != package.LastWriteUtc)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                if (attempt == 0)
                {
                    channel = await ReloadAsync(context, channel).ConfigureAwait(false);
                    continue;
                }

                context.Response.Headers.RetryAfter = "1";
                await FailAsync(context, StatusCodes.Status503ServiceUnavailable, $"package '{file}' is changing on the server; try again").ConfigureAwait(false);
                return;
            }

            IResult result = Results.Stream(stream, PackageContentType, fileDownloadName: null, lastModified: new DateTimeOffset(written, TimeSpan.Zero),
                entityTag: new EntityTagHeaderValue($"\"{package.Entry.Sha256}\""), enableRangeProcessing: true);
            await result.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
    }

    public async Task PostReportAsync(HttpContext context)
    {
        if (await Board(context).ConfigureAwait(false) is not { } board)
        {
            return;
        }

        if (context.Request.ContentLength > InstallReport.MaxLength)
        {
            await FailAsync(context, StatusCodes.Status413PayloadTooLarge, $"report: {context.Request.ContentLength} bytes, over the {InstallReport.MaxLength}-byte limit").ConfigureAwait(false);
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out MediaTypeHeaderValue? type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, StatusCodes.Status415UnsupportedMediaType, $"report: Content-Type {StrictJson.Quote(context.Request.ContentType ?? "")}, expected application/json").ConfigureAwait(false);
            return;
        }

        byte[] body = new byte[InstallReport.MaxLength + 1];
        int length = 0;
        try
        {
            while (length < body.Length)
            {
                int n = await context.Request.Body.ReadAsync(body.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            length = body.Length;
        }

        if (length > InstallReport.MaxLength)
        {
            await FailAsync(context, StatusCodes.Status413PayloadTooLarge, $"report: over the {InstallReport.MaxLength}-byte limit").ConfigureAwait(false);
            return;
        }

        InstallReport report;
        try
        {
            report = InstallReport.Parse(body.AsSpan(0, length));
        }
        catch (ImageFormatException e)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        if (report.BoardId != board)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"report: $.board_id: expected \"{board}\" (the board of the URL), found {StrictJson.Quote(report.BoardId)}").ConfigureAwait(false);
            return;
        }

        InstallReport stored = report.Received(server.Options.Time.GetUtcNow());
        if (!await server.Reports.AppendAsync(stored, context.RequestAborted).ConfigureAwait(false))
        {
            await FailAsync(context, StatusCodes.Status507InsufficientStorage, $"the report log of board '{board}' is full ({InstallReportLog.MaxLogBytes} bytes)").ConfigureAwait(false);
            return;
        }

        server.Emit(new UpdateServerEvent(server.Options.Time.GetUtcNow(), "report",
            $"{board}/{report.DeviceId}: {report.FromRelease ?? "(none)"} -> {report.ToRelease}: {stored.ToJson().Length} bytes stored"));
        context.Response.StatusCode = StatusCodes.Status201Created;
        await WriteJsonAsync(context, [.. stored.ToJson(indented: false), (byte)'\n']).ConfigureAwait(false);
    }

    public async Task GetReportsAsync(HttpContext context)
    {
        if (await Board(context).ConfigureAwait(false) is not { } board)
        {
            return;
        }

        int limit = 1000;
        if (context.Request.Query.TryGetValue("limit", out var values))
        {
            if (values.Count != 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > InstallReportLog.MaxReadCount)
            {
                await FailAsync(context, StatusCodes.Status400BadRequest, $"limit: expected an integer from 1 to {InstallReportLog.MaxReadCount}, found {StrictJson.Quote(values.ToString())}").ConfigureAwait(false);
                return;
            }
        }

        (IReadOnlyList<InstallReport> reports, int skipped) = await server.Reports.ReadAsync(board, limit, context.RequestAborted).ConfigureAwait(false);
        byte[] json = StrictJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("board_id", board);
            w.WriteNumber("skipped_lines", skipped);
            w.WriteStartArray("reports");
            foreach (InstallReport r in reports)
            {
                w.WriteRawValue(r.ToJson(indented: false), skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        await WriteJsonAsync(context, json).ConfigureAwait(false);
    }

    public Task NotFoundAsync(HttpContext context) =>
        FailAsync(context, StatusCodes.Status404NotFound, $"no such resource: {StrictJson.Quote(context.Request.Path.Value ?? "")} (docs/FORMAT.md, \"Update server HTTP API\")");

    private async Task ServeIndexAsync(HttpContext context, bool signature)
    {
        if (await Channel(context).ConfigureAwait(false) is not { } channel)
        {
            return;
        }

        // Both files carry the index's tag: a client that fetched index.json asks for index.sig
        // with If-Match and gets 412, not a signature over another index, if a reload came between.
        context.Response.Headers.CacheControl = "no-cache";
        IResult result = Results.Bytes(signature ? channel.Signed.Signature : channel.Signed.Json, signature ? "application/octet-stream" : "application/json",
            lastModified: channel.Index.IssuedAt, entityTag: new EntityTagHeaderValue(channel.EntityTag), enableRangeProcessing: false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>The channel of the request's board and channel segments, or null after answering 400 or 404.</summary>
    private async Task<ChannelCatalog?> Channel(HttpContext context)
    {
        string board = Segment(context, "board"), channel = Segment(context, "channel");
        string? error = !FieldText.IsIdentifier(board) ? $"board id {StrictJson.Quote(board)}: expected 1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit"
            : !UpdateIndex.IsChannel(channel) ? $"channel {StrictJson.Quote(channel)}: expected 1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit"
            : null;
        if (error is not null)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return null;
        }

        if (server.Catalog.Find(board, channel) is { } found)
        {
            return found;
        }

        await FailAsync(context, StatusCodes.Status404NotFound, $"no index for board '{board}' channel '{channel}' on this server").ConfigureAwait(false);
        return null;
    }

    private async Task<string?> Board(HttpContext context)
    {
        string board = Segment(context, "board");
        if (!FieldText.IsIdentifier(board))
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, $"board id {StrictJson.Quote(board)}: expected 1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit").ConfigureAwait(false);
            return null;
        }

        if (!server.Catalog.Boards.Contains(board))
        {
            await FailAsync(context, StatusCodes.Status404NotFound, $"no board '{board}' on this server").ConfigureAwait(false);
            return null;
        }

        return board;
    }

    private async Task<ChannelCatalog> ReloadAsync(HttpContext context, ChannelCatalog channel)
    {
        await server.ReloadAsync(context.RequestAborted).ConfigureAwait(false);
        return server.Catalog.Find(channel.BoardId, channel.Channel) ?? channel with { Packages = new Dictionary<string, CatalogPackage>() };
    }

    private static string Segment(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    /// <summary>Answers <paramref name="status"/> with one line of text saying why (no body for HEAD).</summary>
    private static async Task FailAsync(HttpContext context, int status, string message)
    {
        byte[] body = Encoding.UTF8.GetBytes(message.ReplaceLineEndings(" ") + "\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, byte[] json)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
