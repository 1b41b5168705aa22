using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Install;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// Runs a scenario's steps on a <see cref="BoardRun"/> (docs/SCENARIOS.md "Steps"). A
/// <c>power-cut</c> step records the next <c>update</c> or <c>power-on</c> (the disk's and RPMB's
/// write logs), then rebuilds the crash state it names as overlays and goes on from there, with
/// the timeline cut back to the events before the cut. In recording mode (a campaign's one
/// uninterrupted run) power cuts and expectations are skipped and the run's devices are the
/// recording's.
/// </summary>
public sealed class ScenarioRunner
{
    private readonly ScenarioBench _bench;
    private readonly BoardRun _run;
    private readonly BoardRecording? _recording;
    private readonly List<ExpectationCheck> _checks = [];
    private readonly List<StepSnapshot> _snapshots = [];

    private ScenarioRunner(ScenarioBench bench, long seed, BoardRecording? recording, Func<IBlockDevice, IBlockDevice>? diskDecorator = null)
    {
        _bench = bench;
        _recording = recording;
        _run = recording is null ? new BoardRun(bench, seed) : new BoardRun(bench, seed, recording.Disk, recording.Rpmb, diskDecorator: diskDecorator);
    }

    /// <summary>Runs <paramref name="bench"/>'s scenario with <paramref name="seed"/>; every expectation is checked and reported, none throws.</summary>
    public static async Task<ScenarioResult> RunAsync(ScenarioBench bench, long seed, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var runner = new ScenarioRunner(bench, seed, null);
        await runner.StepsAsync(cancel).ConfigureAwait(false);
        return new ScenarioResult(bench.Scenario.Name, seed, runner._run.Timeline, runner._checks, runner._run.LastPowerOn);
    }

    /// <summary>
    /// The campaign's recording: runs every step but power cuts and expectations over
    /// <paramref name="recording"/>'s devices (under <paramref name="diskDecorator"/> when given), and returns the run with the state of the bench at
    /// the start of each step.
    /// </summary>
    public static async Task<RecordedScenario> RecordAsync(ScenarioBench bench, BoardRecording recording, long seed, Func<IBlockDevice, IBlockDevice>? diskDecorator = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(recording);
        var runner = new ScenarioRunner(bench, seed, recording, diskDecorator);
        runner._run.Tap = () => recording.DiskLog.Count;
        await runner.StepsAsync(cancel).ConfigureAwait(false);
        return new RecordedScenario(recording, runner._snapshots, runner._run);
    }

    private async Task StepsAsync(CancellationToken cancel)
    {
        PowerCutStep? cut = null;
        for (int index = 0; index < _bench.Scenario.Steps.Count; index++)
        {
            ScenarioStep step = _bench.Scenario.Steps[index];
            cancel.ThrowIfCancellationRequested();
            if (_recording is not null)
            {
                _snapshots.Add(new StepSnapshot(step.Path, _recording.DiskLog.Count, _run.Tftp, _run.Usb, _run.Health, _run.BadSectors.ToArray(), _run.Clock.Elapsed));
                if (step is PowerCutStep or ExpectStep)
                {
                    continue;
                }
            }

            _run.Note(step.Path, LabEventKinds.Step, Describe(step));
            switch (step)
            {
                case PowerCutStep p:
                    cut = p;
                    break;
                case UpdateStep or PowerOnStep or OtaStep when cut is not null:
                    await CutAsync(step, index, cut, cancel).ConfigureAwait(false);
                    cut = null;
                    break;
                case ExpectStep e:
                    Expect(e);
                    break;
                default:
                    await ExecuteAsync(step, cancel).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task ExecuteAsync(ScenarioStep step, CancellationToken cancel)
    {
        switch (step)
        {
            case UpdateStep u:
                await UpdateAsync(u, cancel).ConfigureAwait(false);
                break;
            case OtaStep o:
                await OtaAsync(o, cancel).ConfigureAwait(false);
                break;
            case PowerOnStep p:
                await _run.PowerOnAsync(p.Path, p.MaxBoots, cancel: cancel).ConfigureAwait(false);
                break;
            case RequestRecoveryStep r:
            {
                using Board board = _run.Open();
                BootControlBlock control = board.Control.Read().Block ?? BootControlBlock.Factory(board.Config.Limits.MaxTries);
                board.Control.Write(AbRules.RequestRecovery(control, RecoveryReason.UserRequested, r.Source));
                break;
            }

            case CorruptStep c:
                Corrupt(c);
                break;
            case FlashPartitionStep f:
                await FlashPartitionAsync(f, cancel).ConfigureAwait(false);
                break;
            case BadSectorStep b:
            {
                using Board board = _run.Open();
                _run.AddBadSector(board.PartitionEntry(b.Partition).FirstLba + b.Offset / Board.SectorSize);
                break;
            }

            case Scenarios.OsHealthStep h:
                _run.Health = h.Health;
                break;
            case TftpStep t:
                _run.Tftp = t.State;
                break;
            case UsbStep u:
                _run.Usb = u.State;
                break;
            case WaitStep w:
                _run.Clock.Advance(TimeSpan.FromSeconds(w.Seconds));
                break;
        }
    }

    private async Task UpdateAsync(UpdateStep step, CancellationToken cancel)
    {
        using Board board = _run.Open();
        var log = new BootLog(new BootClock(_run.Clock), e => _run.Add(step.Path, e));
        var update = new SlotUpdate(board, log, durableInterval: 1 << 20);
        try
        {
            if (step.Delta)
            {
                string running = RunningRelease(board) ?? throw new SlotUpdateException("no slot runs a verified release to make a delta from");
                byte[] delta = await _bench.DeltaAsync(running, step.Release).ConfigureAwait(false);
                await update.InstallDeltaAsync(() => new MemoryStream(delta, writable: false), cancel: cancel).ConfigureAwait(false);
            }
            else
            {
                byte[] package = _bench.Image(step.Release);
                await update.InstallAsync(() => new MemoryStream(package, writable: false), cancel: cancel).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ImageException or BoardException or SlotUpdateException or SlotInstallException or MediumException)
        {
            _run.Note(step.Path, LabEventKinds.StepRefused, $"update to {step.Release} refused: {e.Message}", ev => ev with { Reason = e.GetType().Name });
        }
    }

    /// <summary>
    /// One check of the update agent, as <c>recoverysim update</c> runs it, against the bench's
    /// update server in memory: the index offers the step's release (and a delta from the running
    /// one); the download goes into the download area on the run's disk; the reboot is the run's
    /// settling power-on. The agent's events go to the timeline; its outcome is noted.
    /// </summary>
    private async Task OtaAsync(OtaStep step, CancellationToken cancel)
    {
        _run.UpdateServer ??= new BenchUpdateServer(_bench, _run.Clock);
        using Board board = _run.Open();
        string? running = RunningRelease(board);
        await _run.UpdateServer.OfferAsync(step.Release, step.Delta ? running : null, cancel).ConfigureAwait(false);
        _run.UpdateServer.InterruptAfterBytes = step.InterruptAfterBytes;
        using var http = new HttpClient(_run.UpdateServer, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var agent = new UpdateAgent(board, _run.DownloadArea(), _run.UpdateState, http, new UpdateAgentOptions
        {
            Clock = _run.Clock,
            Reboot = async c => await _run.PowerOnAsync(step.Path, OtaRebootBoots, cancel: c).ConfigureAwait(false),
            Settings = () => board.Config,
            Server = new Uri("http://bench.invalid/"),
            Observer = e => _run.Add(step.Path, e),
            DurableInterval = 1 << 20,
            DownloadDurableInterval = 64 << 10,
        });
        UpdateCheckResult result = await agent.CheckAsync(approve: true, cancel).ConfigureAwait(false);
        _run.Note(step.Path, LabEventKinds.Step,
            $"update agent: {UpdateStatusNames.Name(result.Status)}: {result.Detail}", e => e with { Reason = UpdateStatusNames.Name(result.Status), Release = result.Package?.ReleaseId });
    }

    /// <summary>Power-ons the agent's reboot may take to settle: a new slot's tries and the fallback after them.</summary>
    private const int OtaRebootBoots = 10;

    /// <summary>The scenario name of the release the board would boot now (its chosen slot's headers), or null.</summary>
    private string? RunningRelease(Board board)
    {
        BootControlBlock? control = board.Control.Read().Block;
        Slot? slot = control is null ? null : AbRules.Choose(control.Value, BoardLayout.Slots(board.Config.Profile));
        if (slot is null)
        {
            return null;
        }

        return board.Verifier().SignedRelease(slot.Value) is string release ? _bench.ReleaseName(release) : null;
    }

    /// <summary>Records <paramref name="step"/>, rebuilds the crash state <paramref name="cut"/> names, and goes on from it.</summary>
    private async Task CutAsync(ScenarioStep step, int stepIndex, PowerCutStep cut, CancellationToken cancel)
    {
        var recording = new BoardRecording(_run.DiskBelow, _run.Rpmb);
        int timelineBefore = _run.Timeline.Count;
        _run.Replace(recording.Disk, recording.Rpmb);
        _run.Tap = () => recording.DiskLog.Count;
        try
        {
            await ExecuteAsync(step, cancel).ConfigureAwait(false);
        }
        finally
        {
            _run.Tap = null;
        }

        WriteLog log = recording.DiskLog;
        int prefix = cut.Write is int n ? Math.Min(n, log.Count) : (int)new SeededRandom(unchecked(_run.Seed * 1_000_003 + stepIndex)).NextInt64(log.Count + 1);
        CrashState state = CrashState.AfterPrefix(prefix);
        if (cut.Torn && prefix < log.Count && log[prefix].Kind == WriteLogEntryKind.Write && log[prefix].SectorCount > 1)
        {
            state = CrashState.TornWrite(prefix, (int)(log[prefix].SectorCount / 2));
        }
        else if (cut.CacheLoss && log.VolatileCount(prefix) > 0)
        {
            state = CrashState.WithCacheLoss(prefix, new bool[log.VolatileCount(prefix)]);
        }

        var boardCut = new BoardCut(state, 0);
        (OverlayBlockDevice disk, OverlayBlockDevice rpmb) = recording.Rebuild(boardCut);
        _run.TruncateTimeline(timelineBefore + _run.TapPositions.TakeWhile(p => p <= prefix).Count());
        _run.ClearTap();
        _run.Replace(disk, rpmb);
        _run.Note(cut.Path, LabEventKinds.PowerCut, $"power cut at crash state {boardCut} of {log.Count} disk writes ({Explain(state, log)})", e => e with { Count = prefix, Reason = boardCut.ToString() });
    }

    private static string Explain(CrashState state, WriteLog log) =>
        state.IsTorn ? $"entry {state.Prefix} torn after {state.TornSectors} of its {log[state.Prefix].SectorCount} sectors"
        : state.HasCacheLoss ? $"the {log.VolatileCount(state.Prefix)} writes since the last flush lost from the cache"
        : state.Prefix == log.Count ? "after the step's last write" : $"after {state.Prefix} writes";

    private void Corrupt(CorruptStep c)
    {
        using Board board = _run.Open();
        string what = c.What switch
        {
            CorruptionKind.Header => PartitionCorruption.DamageHeader(board, c.Partition),
            CorruptionKind.Payload => PartitionCorruption.InvertRange(board, c.Partition, Math.Min(PartitionHeader.Size + c.Offset, board.Partition(c.Partition).SectorCount * Board.SectorSize - c.Length), c.Length),
            CorruptionKind.BitFlips => PartitionCorruption.FlipBits(board, c.Partition, c.Count, unchecked((int)_run.Seed)),
            CorruptionKind.Erase => PartitionCorruption.Erase(board, c.Partition),
            _ => CorruptBootControl(board, c.Copies),
        };
        board.Disk.Flush();
        _run.Note(c.Path, LabEventKinds.Step, $"corrupted {what}", e => e with { Partition = c.Partition });
    }

    private static string CorruptBootControl(Board board, BootControlCopies copies)
    {
        var damaged = new List<string>();
        if (copies is BootControlCopies.Primary or BootControlCopies.Both)
        {
            damaged.Add(PartitionCorruption.InvertRange(board, BoardLayout.Misc, MiscLayout.BootControlCopy0Offset + 8, 8));
        }

        if (copies is BootControlCopies.Backup or BootControlCopies.Both)
        {
            damaged.Add(PartitionCorruption.InvertRange(board, BoardLayout.Misc, MiscLayout.BootControlCopy1Offset + 8, 8));
        }

        return "boot control block: " + string.Join("; ", damaged);
    }

    private async Task FlashPartitionAsync(FlashPartitionStep f, CancellationToken cancel)
    {
        using Board board = _run.Open();
        byte[] image = _bench.Image(f.Release);
        var sink = new OnePartitionSink(board, f.Partition);
        await GoldenImageReader.ReadAsync(new MemoryStream(image, writable: false), GoldenImageFit.ReadOptions(board) with { MinimumRollbackIndex = 0 }, sink, null, cancel).ConfigureAwait(false);
    }

    private void Expect(ExpectStep step)
    {
        Expectation x = step.Expect;
        SettleResult? last = _run.LastPowerOn;
        void Check(string field, string expected, string found, bool held)
        {
            _checks.Add(new ExpectationCheck(step.Path, field, expected, found, held));
            _run.Note(step.Path, held ? LabEventKinds.ExpectationHeld : LabEventKinds.ExpectationFailed,
                held ? $"{field}: {found}" : $"{field}: expected {expected}, found {found}", e => e with { Reason = field });
        }

        string outcome = last?.Outcome ?? "no power-on yet";
        if (x.Outcome is not null)
        {
            Check("outcome", x.Outcome, outcome, outcome == x.Outcome);
        }

        if (x.Slot is not null)
        {
            string found = last?.Slot ?? "none";
            Check("slot", x.Slot, found, found == x.Slot);
        }

        if (x.Release is not null)
        {
            string found = last?.ReleaseId is string id ? _bench.ReleaseName(id) : "none";
            Check("release", x.Release, found, found == x.Release);
        }

        if (x.UserdataIntact is bool intact)
        {
            using Board board = _run.Open();
            bool same = ScenarioBench.UserdataHash(board) == _bench.FactoryUserdata;
            Check("userdata_intact", intact ? "true" : "false", same ? "true" : "false", same == intact);
        }

        IReadOnlyList<BootEvent> events = last?.Events ?? [];
        foreach (string kind in x.Events)
        {
            bool seen = events.Any(e => e.Kind.Name == kind);
            Check("events", kind, seen ? kind : "not in the last power-on", seen);
        }

        foreach (string kind in x.EventsAbsent)
        {
            int times = events.Count(e => e.Kind.Name == kind);
            Check("events_absent", $"no {kind}", times == 0 ? "none" : $"{times} x {kind}", times == 0);
        }

        if (x.Boots is int boots)
        {
            Check("boots", boots.ToString(System.Globalization.CultureInfo.InvariantCulture), (last?.Boots ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture), (last?.Boots ?? 0) == boots);
        }

        if (x.MaxBootsTaken is int most)
        {
            Check("max_boots_taken", $"at most {most}", (last?.Boots ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture), (last?.Boots ?? 0) <= most);
        }
    }

    /// <summary>One line saying what a step does, for the timeline.</summary>
    public static string Describe(ScenarioStep step) => step switch
    {
        UpdateStep u => $"update to {u.Release} (A/B install into the other slot{(u.Delta ? ", from a delta package" : "")})",
        OtaStep o => $"update agent check: the server offers {o.Release}{(o.Delta ? " (full, and a delta from the running release)" : "")}{(o.InterruptAfterBytes is long n ? $"; the connection breaks after {n} bytes of the package" : "")}",
        RequestRecoveryStep r => $"recovery requested (source {BootOutcomeNames.Kebab(r.Source)})",
        CorruptStep c => $"corrupt {c.Partition}: {BootOutcomeNames.Kebab(c.What)}",
        FlashPartitionStep f => $"flash {f.Partition} alone with {f.Release}'s image",
        BadSectorStep b => $"a bad sector at byte {b.Offset} of {b.Partition}",
        Scenarios.OsHealthStep h => $"the OS will be {h.Health}",
        PowerCutStep p => $"power will be cut in the next step {(p.Write is int w ? $"after write {w}" : "at a generated point")}{(p.Torn ? ", tearing that write" : "")}{(p.CacheLoss ? ", losing the write cache" : "")}",
        PowerOnStep p => $"power on (at most {p.MaxBoots} power-ons to settle)",
        TftpStep t => $"TFTP server {t.State}",
        UsbStep u => $"USB stick {u.State}",
        WaitStep w => $"wait {w.Seconds} s",
        ExpectStep => "expectations",
        _ => step.Kind,
    };

    /// <summary>Writes one partition of a release's golden image, through the slot installer (a partial manual flash).</summary>
    private sealed class OnePartitionSink(Board board, string partition) : GoldenImageSink
    {
        private SlotWriteStream? _install;

        public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition p, PartitionHeader header, CancellationToken cancel)
        {
            if (p.Name != BoardLayout.KindOf(partition))
            {
                return ValueTask.FromResult<Stream?>(null);
            }

            _install = SlotInstaller.Begin([new SlotTarget(partition, board.Partition(partition))], p.Size,
                new SlotInstallOptions { ExpectedImageSha256 = Convert.FromHexString(p.Sha256) });
            return ValueTask.FromResult<Stream?>(_install);
        }

        public override ValueTask OnPartitionVerifiedAsync(ManifestPartition p, PartitionHeader header, Stream? destination, CancellationToken cancel)
        {
            if (destination is not null)
            {
                using SlotWriteStream install = _install!;
                install.Commit(header.RawBytes.Span);
                _install = null;
            }

            return ValueTask.CompletedTask;
        }
    }
}
