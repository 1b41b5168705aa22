using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using RecoverySim.Bootloader.Boot;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// Downloads one package the verified index lists into the <see cref="DownloadArea"/>, resuming
/// where the last download stopped (docs/FORMAT.md "Download area", docs/UPDATES.md): an HTTP
/// <c>Range</c> from the durable byte with <c>If-Range</c> on the validator the server gave for
/// the bytes already held; a server that answers 200 instead (it ignores ranges, or the file changed
/// under the validator) is read again from byte 0. Every length is the index's: a body that would
/// pass the declared size is refused (endless data), so is one slower than the minimum rate over
/// the rate window or silent for a whole window (slow retrieval). At the end the whole package's
/// SHA-256 must be the index's, or the area is cleared and the package refused.
/// </summary>
public sealed class PackageDownload
{
    private const int ChunkSize = 64 << 10;
    private readonly HttpClient _http;
    private readonly DownloadArea _area;
    private readonly TimeProvider _time;
    private readonly DownloadLimits _limits;
    private readonly BootLog _log;

    /// <summary>A download over <paramref name="http"/> into <paramref name="area"/>; rates are measured on <paramref name="time"/>.</summary>
    public PackageDownload(HttpClient http, DownloadArea area, TimeProvider time, DownloadLimits limits, BootLog log)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(log);
        limits.Validate();
        _http = http;
        _area = area;
        _time = time;
        _limits = limits;
        _log = log;
    }

    /// <summary>Downloads <paramref name="package"/> from <paramref name="url"/> (or finds it whole already) and checks its hash.</summary>
    /// <exception cref="UpdateRefusedException">Too large, endless data, slow retrieval, another size, or another hash.</exception>
    /// <exception cref="UpdateDownloadException">The server could not be reached, answered an error, or closed early: the durable bytes are kept.</exception>
    public async Task<DownloadResult> RunAsync(Uri url, UpdatePackage package, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(package);
        if (package.Size > _area.Capacity)
        {
            throw new UpdateRefusedException("too-large", $"{package.File}: {package.Size} bytes, more than the download area's {_area.Capacity}");
        }

        DownloadRecord? stored = _area.Read();
        DownloadRecord record = stored is { } s && s.IsFor(package)
            ? s
            : new DownloadRecord(Convert.FromHexString(package.Sha256), package.Size, 0, "", package.File, stored?.Sequence ?? 0);
        long resumedFrom = record.Durable;
        var transfer = new Transfer(this, url, package, record);
        if (record.Durable < package.Size)
        {
            _log.Add(resumedFrom > 0 ? UpdateEventKinds.DownloadResumed : UpdateEventKinds.DownloadStarted,
                resumedFrom > 0 ? $"resuming {package.File} at byte {resumedFrom} of {package.Size}" : $"downloading {package.File} ({package.Size} bytes)",
                e => e with { Release = package.ReleaseId, Bytes = resumedFrom, Count = package.Size });
            await transfer.RunAsync(cancel).ConfigureAwait(false);
        }

        Verify(package);
        _log.Add(UpdateEventKinds.DownloadCompleted, $"{package.File}: {package.Size} bytes held, SHA-256 as the index says ({transfer.Fetched} fetched now)",
            e => e with { Release = package.ReleaseId, Bytes = transfer.Fetched, Count = package.Size });
        return new DownloadResult(resumedFrom, transfer.Fetched, transfer.Restarted);
    }

    private void Verify(UpdatePackage package)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using Stream data = _area.OpenData(package.Size, writable: false);
            int n;
            while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != package.Sha256)
        {
            _area.Clear();
            throw new UpdateRefusedException("hash-mismatch", $"{package.File}: SHA-256 {actual}, but the index says {package.Sha256} (another file, or changed in transit): discarded");
        }
    }

    /// <summary>The server's validator for the body: a strong ETag, else Last-Modified, else none (weak ETags cannot validate a range).</summary>
    private static string ValidatorOf(HttpResponseMessage response)
    {
        string? validator = response.Headers.ETag is { IsWeak: false } etag ? etag.Tag
            : response.Content.Headers.LastModified is { } modified ? modified.ToString("R") : null;
        return DownloadRecord.IsValidator(validator) ? validator! : "";
    }

    /// <summary>One HTTP exchange of the download, with its stall timer and rate window.</summary>
    private sealed class Transfer(PackageDownload owner, Uri url, UpdatePackage package, DownloadRecord record)
    {
        private readonly List<(long Timestamp, long Total)> _samples = [];
        private int _first;
        private DownloadRecord _record = record;
        private string _validator = record.Validator;

        public long Fetched { get; private set; }

        public bool Restarted { get; private set; }

        public async Task RunAsync(CancellationToken cancel)
        {
            DownloadLimits limits = owner._limits;
            using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, owner._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, stall.Token);
            void Arm()
            {
                if (limits.MinRateBytesPerSecond > 0)
                {
                    stall.CancelAfter(limits.RateWindow);
                }
            }

            long offset = _record.Durable;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
                if (_record.Validator.Length > 0)
                {
                    request.Headers.TryAddWithoutValidation("If-Range", _record.Validator);
                }
            }

            Arm();
            HttpResponseMessage response;
            try
            {
                response = await owner._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                throw SlowRetrieval(0);
            }
            catch (HttpRequestException e)
            {
                throw new UpdateDownloadException($"GET {url}: {e.Message}", e);
            }

            using (response)
            {
                offset = Accept(response, offset);
                await using Stream body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                using Stream data = owner._area.OpenData(package.Size, writable: true);
                data.Position = offset;
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    long position = offset, committed = offset;
                    int filled = 0;
                    _samples.Add((owner._time.GetTimestamp(), 0));
                    void Commit()
                    {
                        data.Write(buffer, 0, filled);
                        filled = 0;
                        data.Flush(); // the data first: the header never counts a byte that is not durable
                        _record = _record with { Durable = position, Validator = _validator, Sequence = _record.Sequence + 1 };
                        owner._area.Write(_record);
                        committed = position;
                    }

                    while (true)
                    {
                        int n;
                        try
                        {
                            n = await body.ReadAsync(buffer.AsMemory(filled, ChunkSize - filled), linked.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancel.IsCancellationRequested)
                        {
                            Commit();
                            throw SlowRetrieval(position - offset);
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException)
                        {
                            Commit();
                            throw new UpdateDownloadException($"GET {url}: the connection failed at byte {position} of {package.Size} ({e.Message}): the download resumes from there", e);
                        }

                        if (n == 0)
                        {
                            break;
                        }

                        Arm();
                        if (position + n > package.Size)
                        {
                            owner._area.Clear();
                            throw new UpdateRefusedException("endless-data", $"GET {url}: the server sent more than the {package.Size} bytes the index declares for {package.File}: discarded");
                        }

                        position += n;
                        filled += n;
                        Fetched += n;
                        if (TooSlow(position - offset, out long rate))
                        {
                            Commit();
                            throw new UpdateRefusedException("slow-retrieval",
                                $"GET {url}: {rate} bytes/s over the last {limits.RateWindow.TotalSeconds:0} s, below the minimum of {limits.MinRateBytesPerSecond} (slow retrieval): stopped at byte {position}");
                        }

                        if (filled == ChunkSize)
                        {
                            data.Write(buffer, 0, filled);
                            filled = 0;
                            if (position - committed >= limits.DurableInterval)
                            {
                                Commit();
                            }
                        }
                    }

                    Commit();
                    if (position < package.Size)
                    {
                        throw new UpdateDownloadException($"GET {url}: the server closed the connection at byte {position} of {package.Size}: the download resumes from there");
                    }

                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        /// <summary>Checks the response's status and lengths; returns the byte its body starts at.</summary>
        private long Accept(HttpResponseMessage response, long offset)
        {
            long? length = response.Content.Headers.ContentLength;
            _validator = ValidatorOf(response);
            if (response.StatusCode == HttpStatusCode.PartialContent && offset > 0)
            {
                ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
                if (range is not { HasRange: true, From: { } from } || from != offset)
                {
                    throw new UpdateDownloadException($"GET {url}: 206 with Content-Range '{range}', but bytes from {offset} were asked for");
                }

                if (range.Length is { } total && total != package.Size)
                {
                    throw new UpdateRefusedException("size-mismatch", $"GET {url}: the server's file is {total} bytes, the index declares {package.Size}");
                }

                if (length is { } l && l > package.Size - offset)
                {
                    throw new UpdateRefusedException("endless-data", $"GET {url}: the server declares {l} bytes from byte {offset}, past the {package.Size} bytes the index declares");
                }

                if (_record.Validator.Length == 0)
                {
                    _record = _record with { Validator = _validator };
                }

                return offset;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new UpdateDownloadException($"GET {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (length is { } full && full != package.Size)
            {
                throw new UpdateRefusedException(full > package.Size ? "endless-data" : "size-mismatch",
                    $"GET {url}: the server's file is {full} bytes, the index declares {package.Size}");
            }

            if (offset > 0)
            {
                Restarted = true;
                owner._log.Add(UpdateEventKinds.DownloadRestarted,
                    $"the server answered the whole file instead of bytes from {offset} (it ignores ranges, or the file changed): downloading {package.File} from the start",
                    e => e with { Release = package.ReleaseId, Bytes = offset });
            }

            // The header forgets the old bytes before the first of them is overwritten.
            _record = _record with { Durable = 0, Validator = _validator, Sequence = _record.Sequence + 1 };
            owner._area.Write(_record);
            return 0;
        }

        private bool TooSlow(long received, out long rate)
        {
            rate = 0;
            DownloadLimits limits = owner._limits;
            if (limits.MinRateBytesPerSecond == 0)
            {
                return false;
            }

            long now = owner._time.GetTimestamp();
            _samples.Add((now, received));
            long window = (long)(limits.RateWindow.TotalSeconds * owner._time.TimestampFrequency);
            // The baseline is the newest sample at least a window old: the rate is over the last window (or a little more).
            while (_first + 1 < _samples.Count && _samples[_first + 1].Timestamp <= now - window)
            {
                _first++;
            }

            if (_first > 4096)
            {
                _samples.RemoveRange(0, _first);
                _first = 0;
            }

            (long since, long baseline) = _samples[_first];
            if (now - since < window)
            {
                return false;
            }

            double seconds = (now - since) / (double)owner._time.TimestampFrequency;
            rate = (long)((received - baseline) / seconds);
            return rate < limits.MinRateBytesPerSecond;
        }

        private UpdateRefusedException SlowRetrieval(long received) => new("slow-retrieval",
            $"GET {url}: nothing for {owner._limits.RateWindow.TotalSeconds:0} s after {received} bytes, below the minimum of {owner._limits.MinRateBytesPerSecond} bytes/s (slow retrieval)");
    }
}
