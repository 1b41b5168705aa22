using System.Net;
using System.Text.Json;
using RecoverySim.Tftp;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// What the bench's TFTP server is doing, for the dashboard: the transfers in progress (from
/// <see cref="TftpServer.ActiveTransfers"/>), the last finished ones (from its log) and a
/// throughput history sampled by <see cref="Sample"/>. Thread-safe.
/// </summary>
public sealed class TftpActivity : ITftpLog
{
    /// <summary>Finished transfers kept.</summary>
    public const int RecentCount = 20;

    /// <summary>Throughput samples kept.</summary>
    public const int SampleCount = 120;

    private readonly Lock _lock = new();
    private readonly Queue<TftpTransferLogEntry> _recent = new();
    private readonly Queue<(DateTimeOffset At, long BytesPerSecond)> _samples = new();
    private readonly Action? _finished;
    private long _finishedBytes;
    private long _finishedTransfers;
    private long _lastTotal;
    private long _lastTimestamp;

    /// <summary>Creates the view; <paramref name="finished"/> is called when a transfer ends (a change to push).</summary>
    public TftpActivity(Action? finished = null) => _finished = finished;

    /// <inheritdoc/>
    public void Request(TftpRequestLogEntry entry)
    {
    }

    /// <inheritdoc/>
    public void Transfer(TftpTransferLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _recent.Enqueue(entry);
            while (_recent.Count > RecentCount)
            {
                _recent.Dequeue();
            }

            _finishedBytes += entry.Bytes;
            _finishedTransfers++;
        }

        _finished?.Invoke();
    }

    /// <summary>
    /// Adds one throughput sample: the bytes moved since the previous sample (finished and running
    /// transfers together) over the time between them. Returns whether anything moved.
    /// </summary>
    public bool Sample(IReadOnlyCollection<TftpTransferStatus> active, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(time);
        long now = time.GetTimestamp();
        lock (_lock)
        {
            long total = _finishedBytes + active.Sum(t => t.Bytes);
            long rate = 0;
            if (_lastTimestamp != 0)
            {
                double seconds = time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
                rate = seconds > 0 ? (long)(Math.Max(0, total - _lastTotal) / seconds) : 0;
            }

            _lastTotal = total;
            _lastTimestamp = now;
            _samples.Enqueue((time.GetUtcNow(), rate));
            while (_samples.Count > SampleCount)
            {
                _samples.Dequeue();
            }

            return rate > 0 || active.Count > 0;
        }
    }

    /// <summary>Writes the view as one JSON object (docs/WEB.md "Events", <c>tftp</c>).</summary>
    public void WriteJson(Utf8JsonWriter w, IPEndPoint endPoint, IReadOnlyCollection<TftpTransferStatus> active)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(active);
        lock (_lock)
        {
            w.WriteStartObject();
            w.WriteString("endpoint", endPoint.ToString());
            w.WriteNumber("finished_transfers", _finishedTransfers);
            w.WriteNumber("finished_bytes", _finishedBytes);
            w.WriteStartArray("active");
            foreach (TftpTransferStatus t in active)
            {
                w.WriteStartObject();
                w.WriteNumber("id", t.Id);
                w.WriteString("file", t.FileName);
                w.WriteString("client", t.Client.ToString());
                w.WriteString("operation", t.Operation == TftpOperation.Read ? "read" : "write");
                w.WriteNumber("bytes", t.Bytes);
                if (t.TotalBytes is long totalBytes)
                {
                    w.WriteNumber("total_bytes", totalBytes);
                }
                else
                {
                    w.WriteNull("total_bytes");
                }

                w.WriteNumber("bytes_per_second", t.Elapsed > TimeSpan.Zero ? (long)(t.Bytes / t.Elapsed.TotalSeconds) : 0);
                w.WriteNumber("retransmissions", t.Retransmissions);
                w.WriteNumber("blksize", t.Options.BlockSize);
                w.WriteNumber("windowsize", t.Options.WindowSize);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("recent");
            foreach (TftpTransferLogEntry t in _recent.Reverse())
            {
                w.WriteStartObject();
                w.WriteString("file", t.FileName);
                w.WriteString("client", t.Client.ToString());
                w.WriteString("operation", t.Operation == TftpOperation.Read ? "read" : "write");
                w.WriteNumber("bytes", t.Bytes);
                w.WriteNumber("bytes_per_second", (long)t.BytesPerSecond);
                w.WriteNumber("retransmissions", t.Retransmissions);
                w.WriteNumber("duration_ms", (long)t.Duration.TotalMilliseconds);
                w.WriteString("error", t.Error);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("throughput");
            foreach ((DateTimeOffset at, long rate) in _samples)
            {
                w.WriteStartObject();
                w.WriteNumber("t", at.ToUnixTimeMilliseconds());
                w.WriteNumber("bytes_per_second", rate);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
    }
}
