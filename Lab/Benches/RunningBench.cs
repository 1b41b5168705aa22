using System.Net;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Recovery.Sources;
using RecoverySim.Tftp;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// A bench at work (what <c>recoverysim web</c> serves): its boards with their actions, the bench's
/// TFTP server (our <see cref="TftpServer"/>) serving the golden image so that a power cycle that
/// enters recovery mode heals the board over TFTP, live; the TFTP activity sampled on a server-side
/// timer (over the injected clock); and the campaign runner. Every change is one
/// <see cref="BenchEvent"/> to <see cref="Changed"/>.
/// </summary>
public sealed class RunningBench : IAsyncDisposable
{
    private readonly Dictionary<string, BenchBoard> _boards = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _sampleInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly TftpServer _tftp;
    private Task _sampler = Task.CompletedTask;

    private RunningBench(Bench bench, TimeProvider time, int? tftpPort, TimeSpan sampleInterval)
    {
        Bench = bench;
        _time = time;
        _sampleInterval = sampleInterval;
        Activity = new TftpActivity(PublishTftp);
        _tftp = new TftpServer(bench.TftpServerOptions(tftpPort), time, Activity);
        foreach (string name in bench.Boards)
        {
            _boards[name] = new BenchBoard(name, bench.BoardDirectory(name), PublishBoard);
        }

        Campaign = new BenchCampaign(PublishCampaign, time);
    }

    /// <summary>Receives every change (from several threads; keep it quick).</summary>
    public event Action<BenchEvent>? Changed;

    /// <summary>The bench.</summary>
    public Bench Bench { get; }

    /// <summary>The boards, in bench.json's order.</summary>
    public IEnumerable<BenchBoard> Boards => Bench.Boards.Select(b => _boards[b]);

    /// <summary>The TFTP server's activity.</summary>
    public TftpActivity Activity { get; }

    /// <summary>The campaign runner.</summary>
    public BenchCampaign Campaign { get; }

    /// <summary>The TFTP server's bound endpoint.</summary>
    public IPEndPoint TftpEndPoint => _tftp.LocalEndPoint;

    /// <summary>The transfers in progress on the bench's TFTP server.</summary>
    public IReadOnlyCollection<TftpTransferStatus> ActiveTransfers => _tftp.ActiveTransfers;

    /// <summary>
    /// Opens the bench in <paramref name="directory"/> and starts its TFTP server on bench.json's
    /// address and <paramref name="tftpPort"/> (bench.json's port when null; 0 picks a free one:
    /// the boards' power-ons then use the bound port).
    /// </summary>
    public static async Task<RunningBench> StartAsync(string directory, TimeProvider? time = null, int? tftpPort = null, TimeSpan? sampleInterval = null, CancellationToken cancel = default)
    {
        Bench bench = Bench.Open(directory);
        var running = new RunningBench(bench, time ?? TimeProvider.System, tftpPort, sampleInterval ?? TimeSpan.FromMilliseconds(500));
        await running._tftp.StartAsync(cancel).ConfigureAwait(false);
        running._sampler = running.SampleLoopAsync(running._stop.Token);
        return running;
    }

    /// <summary>The board named <paramref name="name"/>, or null.</summary>
    public BenchBoard? Board(string name) => _boards.GetValueOrDefault(name);

    /// <summary>Recovery's sources for a power-on of <paramref name="board"/>: board.json's, with its TFTP source pointed at the bench's running server.</summary>
    public IReadOnlyList<GoldenImageSource> SourcesFor(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        RecoveryConfig configured = board.Config.Recovery;
        TftpSourceConfig tftp = (configured.Tftp ?? TftpSourceConfig.Default) with
        {
            Server = new RecoverySim.Tftp.TftpEndPoint(TftpEndPoint.Address.ToString(), TftpEndPoint.Port),
            File = Bench.Config.TftpFile,
        };
        return RecoverySources.For(board, configured with { Tftp = tftp, Order = configured.Order.Contains(Bootloader.Control.RecoverySource.Tftp) ? configured.Order : [Bootloader.Control.RecoverySource.Tftp, .. configured.Order] }, _time);
    }

    /// <summary>Power-cycles <paramref name="board"/> with the bench's sources and clock.</summary>
    public Task<BoardSnapshot> PowerCycleAsync(BenchBoard board, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(board);
        return board.PowerCycleAsync(SourcesFor, _time, cancel);
    }

    /// <summary>Starts a power-cut campaign (see <see cref="BenchCampaign.Start"/>), stopped with the bench.</summary>
    public void StartCampaign(string scenarioPath, int? samples, long seed) => Campaign.Start(scenarioPath, samples, seed, _stop.Token);

    /// <summary>The TFTP view as one JSON object.</summary>
    public byte[] TftpJson() => StrictJson.Write(w => Activity.WriteJson(w, _tftp.LocalEndPoint, _tftp.ActiveTransfers), indented: false);

    /// <summary>The campaign view as one JSON object.</summary>
    public byte[] CampaignJson() => StrictJson.Write(Campaign.WriteJson, indented: false);

    /// <summary>A board's snapshot as one JSON object.</summary>
    public static byte[] BoardJson(BoardSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return StrictJson.Write(snapshot.WriteJson, indented: false);
    }

    /// <summary>Stops the sampler, the campaign and the TFTP server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampler.ConfigureAwait(false);
        await Campaign.Completion.ConfigureAwait(false);
        await _tftp.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Samples the TFTP throughput every interval; pushes a <c>tftp</c> event while anything moves, and once more when it stops.</summary>
    private async Task SampleLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_sampleInterval, _time);
        bool moving = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                bool now = Activity.Sample(_tftp.ActiveTransfers, _time);
                if (now || moving)
                {
                    PublishTftp();
                }

                moving = now;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void Publish(string kind, byte[] json) => Changed?.Invoke(new BenchEvent(kind, json));

    private void PublishBoard(BoardSnapshot snapshot) => Publish("board", BoardJson(snapshot));

    private void PublishTftp()
    {
        if (_tftp is not null)
        {
            Publish("tftp", TftpJson());
        }
    }

    private void PublishCampaign() => Publish("campaign", CampaignJson());
}
