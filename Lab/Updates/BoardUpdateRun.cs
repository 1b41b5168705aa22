using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Time;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>
/// The update agent of a board directory (docs/UPDATES.md), put together one way for the command
/// line (<c>recoverysim update DIR</c>) and the dashboard's settings page: the board, its download
/// area (<c>download.img</c>), its state file (<c>update-state.json</c>), board.json read again at
/// every check (so a setting changed meanwhile is honoured), and reboots through the board's own
/// power-on, all on a simulated clock.
/// </summary>
public static class BoardUpdateRun
{
    /// <summary>Runs one check (or a poll) of the agent of the board in <paramref name="directory"/>.</summary>
    /// <exception cref="BoardException">The board directory is missing or bad.</exception>
    public static async Task<UpdateCheckResult> RunAsync(string directory, BoardUpdateRunOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        var clock = new SimulatedClock(UtcTimestamp.Truncate(options.Start));
        string config = Path.Combine(directory, Board.ConfigFile);
        using Board board = Board.Open(directory);
        using var area = DownloadArea.OpenFile(directory, board);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        var agent = new UpdateAgent(board, new DownloadArea(area), new UpdateStateFile(directory), http, new UpdateAgentOptions
        {
            Clock = clock,
            TransferTime = options.TransferTime,
            Server = options.Server,
            Settings = () => BoardConfig.Load(config),
            Reboot = async c =>
            {
                PowerOnResult settled = await new PowerOnSequence(board, RecoverySources.For(board, null, clock), clock, observer: options.Observer)
                    .SettleAsync(BoardConfig.Load(config).OsHealth, board.Config.Limits.MaxTries + 2, c).ConfigureAwait(false);
                // The boots' simulated time (the OS health check) passes on the agent's clock too.
                if (settled.Events.Count > 0 && settled.Events[^1].Time > clock.GetUtcNow())
                {
                    clock.Advance(settled.Events[^1].Time - clock.GetUtcNow());
                }
            },
            Observer = options.Observer,
        });
        if (options.MaxChecks is not int checks)
        {
            return await agent.CheckAsync(options.Approve, cancel).ConfigureAwait(false);
        }

        return await agent.PollAsync(checks, (at, _) =>
        {
            if (at > clock.GetUtcNow())
            {
                clock.Advance(at - clock.GetUtcNow());
            }

            return Task.CompletedTask;
        }, options.Approve, cancel: cancel).ConfigureAwait(false);
    }
}
