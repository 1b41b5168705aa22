using System.Net;
using System.Net.Http.Headers;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Network;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// The update server of a scenario bench, in memory: the agent's <see cref="HttpClient"/> sends
/// through it, and it answers as <c>recoverysim update-server</c> does (docs/FORMAT.md "Update
/// server HTTP API"): a signed index per offer, packages with strong ETags, one byte range and
/// <c>If-Range</c>, reports taken. No sockets and no threads of its own, so a run replays exactly;
/// the index is signed on the run's simulated clock.
/// </summary>
public sealed class BenchUpdateServer : HttpMessageHandler
{
    /// <summary>The channel the bench serves.</summary>
    public const string Channel = "stable";

    private readonly ScenarioBench _bench;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly List<InstallReport> _reports = [];
    private SignedUpdateIndex? _index;
    private long _sequence;

    /// <summary>The server of <paramref name="bench"/>, signing on <paramref name="clock"/>.</summary>
    public BenchUpdateServer(ScenarioBench bench, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(clock);
        _bench = bench;
        _clock = clock;
    }

    /// <summary>When set, the next package response breaks off after this many body bytes (a dropped connection); then it clears.</summary>
    public long? InterruptAfterBytes { get; set; }

    /// <summary>The reports received, in order.</summary>
    public IReadOnlyList<InstallReport> Reports => _reports;

    /// <summary>
    /// Offers <paramref name="release"/>: its full package, and a delta from <paramref name="deltaFrom"/>
    /// when given, in a freshly signed index (sequence one higher) valid for a day.
    /// </summary>
    public async Task OfferAsync(string release, string? deltaFrom, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        _files.Clear();
        var packages = new List<UpdatePackage>();
        async Task AddAsync(string file, byte[] bytes)
        {
            PackageSummary summary = await PackageSummaryReader.ReadAsync(new MemoryStream(bytes, writable: false), file, null, cancel).ConfigureAwait(false);
            packages.Add(summary.Package);
            _files[file] = bytes;
        }

        await AddAsync($"{release}.rsim", _bench.Image(release)).ConfigureAwait(false);
        if (deltaFrom is not null && deltaFrom != release)
        {
            await AddAsync($"{deltaFrom}-to-{release}.rsim", await _bench.DeltaAsync(deltaFrom, release).ConfigureAwait(false)).ConfigureAwait(false);
        }

        SigningKey key = _bench.IndexKey;
        DateTimeOffset now = UtcTimestamp.Truncate(_clock.GetUtcNow());
        UpdatePackage full = packages[0];
        var index = new UpdateIndex(_bench.Config.BoardId, Channel, ++_sequence, now, now.AddDays(1), key.KeyId, key.Algorithm, full.Target, packages);
        _index = SignedUpdateIndex.Sign(index, key);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string path = request.RequestUri!.AbsolutePath;
        string prefix = $"/v1/{Uri.EscapeDataString(_bench.Config.BoardId)}/";
        if (request.Method == HttpMethod.Post && path == prefix + "reports" && request.Content is not null)
        {
            byte[] body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            _reports.Add(InstallReport.Parse(body).Received(_clock.GetUtcNow()));
            return new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = request };
        }

        if (request.Method != HttpMethod.Get || _index is null || !path.StartsWith(prefix + Channel + "/", StringComparison.Ordinal))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
        }

        string rest = path[(prefix.Length + Channel.Length + 1)..];
        return rest switch
        {
            UpdateIndex.FileName => Whole(request, _index.Json, "application/json"),
            UpdateIndex.SignatureFileName => Whole(request, _index.Signature, "application/octet-stream"),
            _ when rest.StartsWith("packages/", StringComparison.Ordinal) && _files.TryGetValue(rest["packages/".Length..], out byte[]? file) => Package(request, file),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request },
        };
    }

    private static HttpResponseMessage Whole(HttpRequestMessage request, byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    /// <summary>The package, whole or from the one range asked for (RFC 9110 section 14), unless <c>If-Range</c> names another entity tag.</summary>
    private HttpResponseMessage Package(HttpRequestMessage request, byte[] file)
    {
        string tag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file))}\"";
        long from = 0;
        bool partial = false;
        if (request.Headers.Range is { Unit: "bytes", Ranges.Count: 1 } range && range.Ranges.First() is { From: long start, To: null } && start < file.Length
            && (!request.Headers.TryGetValues("If-Range", out IEnumerable<string>? ifRange) || ifRange.SingleOrDefault() == tag))
        {
            from = start;
            partial = true;
        }

        long length = file.Length - from;
        long? cut = InterruptAfterBytes;
        InterruptAfterBytes = null;
        Stream body = new MemoryStream(file, (int)from, (int)length, writable: false);
        if (cut is long after && after < length)
        {
            body = new BrokenConnectionStream(body, after, "the scenario's interrupt_after_bytes");
        }

        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        content.Headers.ContentLength = length;
        var response = new HttpResponseMessage(partial ? HttpStatusCode.PartialContent : HttpStatusCode.OK) { Content = content, RequestMessage = request };
        response.Headers.ETag = new EntityTagHeaderValue(tag);
        response.Headers.AcceptRanges.Add("bytes");
        if (partial)
        {
            content.Headers.ContentRange = new ContentRangeHeaderValue(from, file.Length - 1, file.Length);
        }

        return response;
    }
}
