using System.Text;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>
/// The install reports of each board: <c>ROOT/BOARD/reports.jsonl</c>, one report per line
/// (compact JSON with the server's <c>received_at</c>). An append is written and fsynced before
/// the device is answered; the file is first created as an empty atomic file, so its directory
/// entry is durable too. A power cut can leave at most a torn last line: the next append starts a
/// new line after it, and the reader skips a line that does not parse. One writer at a time.
/// </summary>
internal sealed class InstallReportLog(string root)
{
    /// <summary>The log's name in each board directory.</summary>
    public const string FileName = "reports.jsonl";

    /// <summary>Largest log: 64 MiB; past it, reports are refused (507) until an operator moves the file away.</summary>
    public const long MaxLogBytes = 64L << 20;

    /// <summary>Most reports one read returns (the newest ones).</summary>
    public const int MaxReadCount = 10_000;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Appends <paramref name="report"/> durably; false when the log is full.</summary>
    public async Task<bool> AppendAsync(InstallReport report, CancellationToken cancel)
    {
        string path = PathOf(report.BoardId);
        byte[] line = [.. report.ToJson(indented: false), (byte)'\n'];
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (!File.Exists(path))
            {
                using AtomicFile created = AtomicFile.Create(path, overwrite: false);
                created.Commit();
            }

            var log = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
            await using (log.ConfigureAwait(false))
            {
                long length = log.Length;
                if (length + line.Length > MaxLogBytes)
                {
                    return false;
                }

                bool torn = false;
                if (length > 0)
                {
                    byte[] last = new byte[1];
                    log.Position = length - 1;
                    await log.ReadExactlyAsync(last, cancel).ConfigureAwait(false);
                    torn = last[0] != (byte)'\n';
                }

                log.Position = length;
                if (torn)
                {
                    await log.WriteAsync("\n"u8.ToArray(), cancel).ConfigureAwait(false);
                }

                await log.WriteAsync(line, cancel).ConfigureAwait(false);
                log.Flush(flushToDisk: true);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The newest <paramref name="limit"/> reports of <paramref name="board"/>, oldest first, and the count of lines that did not parse.</summary>
    public async Task<(IReadOnlyList<InstallReport> Reports, int Skipped)> ReadAsync(string board, int limit, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxReadCount);
        string path = PathOf(board);
        var reports = new Queue<InstallReport>();
        int skipped = 0;
        if (!File.Exists(path))
        {
            return ([], 0);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
            int number = 0;
            while (await reader.ReadLineAsync(cancel).ConfigureAwait(false) is { } text)
            {
                number++;
                try
                {
                    reports.Enqueue(InstallReport.Parse(Encoding.UTF8.GetBytes(text), $"{FileName} line {number}", allowReceivedAt: true));
                    if (reports.Count > limit)
                    {
                        reports.Dequeue();
                    }
                }
                catch (ImageFormatException)
                {
                    // A torn line from a power cut (or an edit by hand): counted, not served.
                    skipped++;
                }
            }
        }

        return ([.. reports], skipped);
    }

    private string PathOf(string board) => Path.Combine(root, board, FileName);
}
