using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// One server's instruments (<see cref="TftpMeter"/>). Requests, refusals and ended transfers
/// are counted as they happen (off the packet path); bytes, retransmissions and active
/// transfers are observed when a listener collects, from the totals of ended transfers plus the
/// live counters of running ones, so the data path does no metric work per packet.
/// </summary>
internal sealed class ServerMeter : IDisposable
{
    private readonly Meter meter;
    private readonly Counter<long> requests;
    private readonly Counter<long> refusals;
    private readonly Counter<long> transfers;
    // Held while a transfer's totals move from the running set to the ended totals, and while
    // they are observed: a collection never counts a transfer twice or not at all.
    private readonly Lock gate = new();
    private long readBytes;
    private long writeBytes;
    private long retransmissions;

    public ServerMeter(IMeterFactory? factory, Func<IEnumerable<ServerTransfer>> running)
    {
        meter = factory?.Create(new MeterOptions(TftpMeter.Name)) ?? new Meter(TftpMeter.Name);
        requests = meter.CreateCounter<long>(TftpMeter.Requests, "{request}", "RRQ and WRQ requests received");
        refusals = meter.CreateCounter<long>(TftpMeter.Refusals, "{request}", "Requests refused or dropped, by reason");
        transfers = meter.CreateCounter<long>(TftpMeter.Transfers, "{transfer}", "Transfers ended, by outcome");
        meter.CreateObservableCounter(TftpMeter.Bytes, () => ObserveBytes(running()), "By", "Data bytes carried by DATA packets");
        meter.CreateObservableCounter(TftpMeter.Retransmissions, () => ObserveRetransmissions(running()), "{packet}", "Packets sent again");
        meter.CreateObservableUpDownCounter(TftpMeter.ActiveTransfers, () => (long)running().Count(), "{transfer}", "Transfers in progress");
    }

    public void Request(TftpOperation operation) => requests.Add(1, new KeyValuePair<string, object?>("operation", Name(operation)));

    public void Refusal(string reason) => refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A transfer ended: its totals move from the running set (<paramref name="remove"/> takes it out) to the ended totals.</summary>
    public void Ended(ServerTransfer transfer, string outcome, Action remove)
    {
        lock (gate)
        {
            if (transfer.Operation == TftpOperation.Read)
            {
                readBytes += transfer.Counters.Bytes;
            }
            else
            {
                writeBytes += transfer.Counters.Bytes;
            }

            retransmissions += transfer.Counters.Retransmissions;
            remove();
        }

        var tags = new TagList { { "operation", Name(transfer.Operation) }, { "outcome", outcome } };
        transfers.Add(1, tags);
    }

    // A factory's meters are the factory's to dispose.
    public void Dispose()
    {
        if (meter.Scope is null)
        {
            meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveBytes(IEnumerable<ServerTransfer> live)
    {
        long read, write;
        lock (gate)
        {
            read = readBytes;
            write = writeBytes;
            foreach (ServerTransfer t in live)
            {
                if (t.Operation == TftpOperation.Read)
                {
                    read += t.Counters.Bytes;
                }
                else
                {
                    write += t.Counters.Bytes;
                }
            }
        }

        return [new(read, new KeyValuePair<string, object?>("operation", "read")), new(write, new KeyValuePair<string, object?>("operation", "write"))];
    }

    private long ObserveRetransmissions(IEnumerable<ServerTransfer> live)
    {
        lock (gate)
        {
            return retransmissions + live.Sum(t => t.Counters.Retransmissions);
        }
    }

    private static string Name(TftpOperation operation) => operation == TftpOperation.Read ? "read" : "write";
}
