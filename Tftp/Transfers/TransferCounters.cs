namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The running totals of one transfer, written by its task and read by status snapshots on
/// other threads (64-bit reads and writes are atomic on the platforms .NET runs on).
/// </summary>
internal sealed class TransferCounters
{
    private const long ReportEveryBytes = 1 << 20;
    private readonly IProgress<TftpProgress>? progress;
    private long bytes;
    private long blocks;
    private long retransmissions;
    private long totalBytes = -1;
    private long nextReport;

    public TransferCounters(IProgress<TftpProgress>? progress = null) => this.progress = progress;

    public long Bytes => Volatile.Read(ref bytes);

    public long Blocks => Volatile.Read(ref blocks);

    public long Retransmissions => Volatile.Read(ref retransmissions);

    public long? TotalBytes
    {
        get
        {
            long total = Volatile.Read(ref totalBytes);
            return total < 0 ? null : total;
        }

        set => Volatile.Write(ref totalBytes, value ?? -1);
    }

    /// <summary>One new block of <paramref name="length"/> data bytes.</summary>
    public void AddBlock(int length)
    {
        Volatile.Write(ref bytes, bytes + length);
        Volatile.Write(ref blocks, blocks + 1);
        if (progress is not null && bytes >= nextReport)
        {
            nextReport = bytes + ReportEveryBytes;
            progress.Report(Snapshot());
        }
    }

    public void AddRetransmissions(long count) => Volatile.Write(ref retransmissions, retransmissions + count);

    /// <summary>The final report, whatever the byte count.</summary>
    public void ReportFinal() => progress?.Report(Snapshot());

    public TftpProgress Snapshot() => new(Bytes, TotalBytes, Blocks, Retransmissions);
}
