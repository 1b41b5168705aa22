using System.Collections.Concurrent;
using CsCheck;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// A power-cut campaign over one scenario (DESIGN.md "Faults and power cuts"), the way littlefs's
/// reentrant tests and CrashMonkey work, for the whole boot + update + recovery stack: the
/// scenario's steps run once uninterrupted over a <see cref="BoardRecording"/>; then every crash
/// state of that run (or generated ones) is rebuilt as overlays in O(1), powered on with the
/// bench as it was at the cut, left to settle (bounded power-ons), and judged against the
/// invariants: it runs a validly signed release whose slot verifies; no rollback index went down;
/// <c>userdata</c> is as the factory left it; nothing the bootloader did not verify started; it
/// settles (no endless boot loop) whenever the uninterrupted run does. Results are ordered by
/// state, never by thread, so the same seed gives the same report, digest included, with any
/// number of jobs or shards.
/// </summary>
public sealed class Campaign
{
    /// <summary>Where events after a cut are filed in a replay's timeline.</summary>
    public const string AfterCut = "after-cut";

    private const long SecondLevelStride = 1000;

    private readonly ScenarioBench _bench;
    private readonly RecordedScenario _recorded;
    private readonly CampaignOptions _options;
    private bool _baselineHealthy = true;

    private Campaign(ScenarioBench bench, RecordedScenario recorded, CampaignOptions options)
    {
        _bench = bench;
        _recorded = recorded;
        _options = options;
    }

    /// <summary>The scenario's recorded run.</summary>
    public RecordedScenario Recorded => _recorded;

    /// <summary>How the board ends after the last write of the recorded run landed (the reference every cut is judged beside).</summary>
    public CrashOutcome? Baseline { get; private set; }

    /// <summary>Records the scenario once and evaluates its end state (the baseline).</summary>
    public static async Task<Campaign> PrepareAsync(ScenarioBench bench, CampaignOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var recording = new BoardRecording(bench.Disk, bench.Rpmb);
        RecordedScenario recorded = await ScenarioRunner.RecordAsync(bench, recording, options.Seed, options.DiskDecorator, cancel).ConfigureAwait(false);

        // Build the logs' indexes now, before states are rebuilt from many threads.
        recording.DiskLog.BuildIndex();
        recording.RpmbLog.BuildIndex();
        var campaign = new Campaign(bench, recorded, options);
        (CrashOutcome baseline, _) = await campaign.EvaluateAsync(new CrashPoint(BoardCut.After(recording.DiskLog.Count)), -1, null, cancel).ConfigureAwait(false);
        campaign.Baseline = baseline;
        campaign._baselineHealthy = baseline.Class is not OutcomeClass.Bricked;
        return campaign;
    }

    /// <summary>
    /// The first-level crash states of an exhaustive campaign, in log order: every prefix; its
    /// cache-loss states (<see cref="CampaignOptions.CacheStatesPerPrefix"/>); three tears (first
    /// sector, middle, all but one) of a multi-sector write; and, where RPMB writes were issued
    /// right at a prefix, each count of them landed.
    /// </summary>
    public IReadOnlyList<CrashPoint> Exhaustive()
    {
        WriteLog log = _recorded.Recording.DiskLog;
        var points = new List<CrashPoint>();
        foreach (CrashState state in CrashState.Enumerate(log, _options.CacheStatesPerPrefix, _options.Seed))
        {
            if (state.IsTorn)
            {
                long sectors = log[state.Prefix].SectorCount;
                if (state.TornSectors != 1 && state.TornSectors != sectors / 2 && state.TornSectors != sectors - 1)
                {
                    continue;
                }
            }

            points.Add(new CrashPoint(new BoardCut(state, 0)));
            if (!state.IsTorn && !state.HasCacheLoss)
            {
                for (int r = 1; r <= _recorded.Recording.RpmbWritesAt(state.Prefix); r++)
                {
                    points.Add(new CrashPoint(new BoardCut(state, r)));
                }
            }
        }

        return points;
    }

    /// <summary>How <see cref="Writes"/> names the update agent's download area (after the last partition; <see cref="ScenarioBench.DownloadAreaOffset"/>).</summary>
    public const string DownloadAreaRegion = "download-area";

    /// <summary>The recorded run's disk writes, each placed in its partition (or the download area) and step.</summary>
    public IReadOnlyList<RecordedWrite> Writes()
    {
        WriteLog log = _recorded.Recording.DiskLog;
        using Board board = _bench.Open(_bench.Disk, _bench.Rpmb);
        var partitions = board.Gpt.Table.Partitions;
        var writes = new List<RecordedWrite>();
        for (int i = 0; i < log.Count; i++)
        {
            WriteLogEntry entry = log[i];
            var part = entry.Kind == WriteLogEntryKind.Flush ? (BlockDevice.Gpt.GptPartitionEntry?)null
                : partitions.FirstOrDefault(p => entry.Sector >= p.FirstLba && entry.Sector <= p.LastLba) is { IsUsed: true } found ? found : null;
            StepSnapshot step = _recorded.StepAt(i);
            long areaFirst = _bench.DownloadAreaOffset / Board.SectorSize;
            bool inArea = part is null && entry.Kind != WriteLogEntryKind.Flush && _bench.DownloadAreaBytes > 0
                && entry.Sector >= areaFirst && entry.Sector < areaFirst + (_bench.DownloadAreaBytes / Board.SectorSize);
            string? region = inArea ? DownloadAreaRegion : part?.Name;
            long offset = inArea ? (entry.Sector - areaFirst) * Board.SectorSize : part is null ? 0 : (entry.Sector - part.Value.FirstLba) * Board.SectorSize;
            writes.Add(new RecordedWrite(i, entry, region, offset, step.Step, i - step.DiskPosition));
        }

        return writes;
    }

    /// <summary>Runs the campaign: exhaustive, or <see cref="CampaignOptions.Samples"/> generated states with shrinking.</summary>
    public async Task<CampaignReport> RunAsync(CancellationToken cancel = default)
    {
        long started = _options.Time.GetTimestamp();
        List<CrashPoint> first;
        List<(CrashPoint Point, Size Size)> generated = [];
        PCG? pcg = null;
        if (_options.Samples is int samples)
        {
            pcg = new PCG(1, unchecked((ulong)_options.Seed));
            Gen<BoardCut> gen = CutGen();
            var seen = new HashSet<string>();
            for (int i = 0; i < samples; i++)
            {
                BoardCut cut = gen.Generate(pcg, null, out Size size);
                if (seen.Add(cut.ToString()))
                {
                    generated.Add((new CrashPoint(cut), size));
                }
            }

            first = generated.Select(g => g.Point).ToList();
        }
        else
        {
            first = Exhaustive().ToList();
        }

        var owned = Enumerable.Range(0, first.Count).Where(_options.Shard.Owns).ToArray();
        var outcomes = new ConcurrentBag<CrashOutcome>();
        var byKind = new ConcurrentDictionary<CrashKind, int>();
        var byClass = new ConcurrentDictionary<OutcomeClass, int>();
        int done = 0, failures = 0;
        int total = owned.Length * (_options.Depth == 2 ? 1 + _options.SecondCuts : 1);
        void Count(CrashOutcome outcome)
        {
            outcomes.Add(outcome);
            byKind.AddOrUpdate(outcome.Kind, 1, (_, n) => n + 1);
            byClass.AddOrUpdate(outcome.Class, 1, (_, n) => n + 1);
            if (outcome.Failed)
            {
                Interlocked.Increment(ref failures);
            }

            int now = Interlocked.Increment(ref done);
            _options.Progress?.Report(new CampaignProgress(now, total, byKind, byClass, Volatile.Read(ref failures), now / Math.Max(1e-9, _options.Time.GetElapsedTime(started).TotalSeconds)) { Outcome = outcome });
        }

        await Parallel.ForEachAsync(owned, new ParallelOptions { MaxDegreeOfParallelism = _options.Jobs, CancellationToken = cancel }, async (i, ct) =>
        {
            if (_options.Depth == 1)
            {
                (CrashOutcome outcome, _) = await EvaluateAsync(first[i], i * SecondLevelStride, null, ct).ConfigureAwait(false);
                Count(outcome);
                return;
            }

            foreach (CrashOutcome outcome in await EvaluateWithSecondCutsAsync(first[i], i, ct).ConfigureAwait(false))
            {
                Count(outcome);
            }
        }).ConfigureAwait(false);

        List<CrashOutcome> sorted = [.. outcomes.OrderBy(o => o.Order)];
        string? shrunk = null;
        if (sorted.FirstOrDefault(o => o.Failed) is not null)
        {
            shrunk = _options.Samples is null
                ? sorted.First(o => o.Failed).Id
                : (await ShrinkAsync(generated, sorted, pcg!, cancel).ConfigureAwait(false)).ToString();
        }

        return new CampaignReport
        {
            Scenario = _bench.Scenario.Name,
            Seed = _options.Seed,
            Samples = _options.Samples,
            Depth = _options.Depth,
            Shard = _options.Shard,
            DiskWrites = _recorded.Recording.DiskLog.Count,
            RpmbWrites = _recorded.Recording.RpmbLog.Count,
            FirstLevelStates = first.Count,
            Baseline = Baseline!,
            Outcomes = sorted,
            Shrunk = shrunk,
            ElapsedSeconds = _options.Time.GetElapsedTime(started).TotalSeconds,
            Jobs = _options.Jobs,
        };
    }

    /// <summary>
    /// Rebuilds the state <paramref name="point"/> names and runs it with the full timeline: the
    /// recorded run's events up to the cut, the cut, and every event of the power-ons after it.
    /// </summary>
    public async Task<(CrashOutcome Outcome, IReadOnlyList<TimelineEntry> Timeline)> ReplayAsync(CrashPoint point, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(point);
        var timeline = new List<TimelineEntry>();
        (CrashOutcome outcome, BoardRun run) = await EvaluateAsync(point, 0, timeline, cancel).ConfigureAwait(false);
        timeline.AddRange(run.Timeline);
        return (outcome, timeline);
    }

    private Gen<BoardCut> CutGen()
    {
        BoardRecording recording = _recorded.Recording;
        WriteLog log = recording.DiskLog;
        return Gen.Select(Gen.Int[0, log.Count], Gen.Int[0, 3], Gen.ULong).Select((k, kind, param) => kind switch
        {
            1 when log.VolatileCount(k) > 0 => new BoardCut(CrashState.WithCacheLoss(k, Mask(log.VolatileCount(k), param)), 0),
            2 when k < log.Count && log[k].Kind == WriteLogEntryKind.Write && log[k].SectorCount > 1 => new BoardCut(CrashState.TornWrite(k, 1 + (int)(param % (ulong)(log[k].SectorCount - 1))), 0),
            3 when recording.RpmbWritesAt(k) > 0 => new BoardCut(CrashState.AfterPrefix(k), 1 + (int)(param % (ulong)recording.RpmbWritesAt(k))),
            _ => BoardCut.After(k),
        });
    }

    private static bool[] Mask(int volatileCount, ulong param)
    {
        bool[] landed = new bool[volatileCount];
        var random = new SeededRandom(unchecked((long)param));
        for (int i = 0; i < volatileCount; i++)
        {
            landed[i] = i < 64 ? (param >> i & 1) != 0 : random.NextBool();
        }

        return landed;
    }

    /// <summary>
    /// The smallest failing state: the failing sample of least CsCheck size; then more samples
    /// from the same generator, tried only when smaller (CsCheck's shrinking); then the exhaustive
    /// order up to its prefix, so the id names the first write at which the board is lost.
    /// </summary>
    private async Task<CrashPoint> ShrinkAsync(List<(CrashPoint Point, Size Size)> generated, List<CrashOutcome> outcomes, PCG pcg, CancellationToken cancel)
    {
        var failedIds = outcomes.Where(o => o.Failed && o.Kind != CrashKind.Depth2).Select(o => o.Id).ToHashSet();
        (CrashPoint Point, Size Size)? best = null;
        foreach ((CrashPoint point, Size size) in generated)
        {
            if (failedIds.Contains(point.ToString()) && (best is null || Size.IsLessThan(size, best.Value.Size)))
            {
                best = (point, size);
            }
        }

        if (best is null)
        {
            // Only second cuts failed: report the first of them as it is.
            return CrashPoint.Parse(outcomes.First(o => o.Failed).Id);
        }

        Gen<BoardCut> gen = CutGen();
        for (int i = 0; i < generated.Count; i++)
        {
            BoardCut cut = gen.Generate(pcg, null, out Size size);
            if (Size.IsLessThan(size, best.Value.Size) && await FailsAsync(new CrashPoint(cut), cancel).ConfigureAwait(false))
            {
                best = (new CrashPoint(cut), size);
            }
        }

        // Last, the exhaustive campaign's order up to the best's prefix: the first state in it that
        // fails is the smallest there is, and the one an exhaustive run reports first.
        int prefix = best.Value.Point.First.Disk.Prefix;
        foreach (CrashPoint candidate in Exhaustive().TakeWhile(p => p.First.Disk.Prefix <= prefix))
        {
            if (candidate.ToString() == best.Value.Point.ToString() || await FailsAsync(candidate, cancel).ConfigureAwait(false))
            {
                return candidate;
            }
        }

        return best.Value.Point;
    }

    private async Task<bool> FailsAsync(CrashPoint point, CancellationToken cancel) =>
        (await EvaluateAsync(point, 0, null, cancel).ConfigureAwait(false)).Outcome.Failed;

    private async Task<IReadOnlyList<CrashOutcome>> EvaluateWithSecondCutsAsync(CrashPoint point, int index, CancellationToken cancel)
    {
        (IBlockDevice disk, IBlockDevice rpmb, StepSnapshot at, RollbackIndexes before) = AtFirstCut(point);
        var resumed = new BoardRecording(disk, rpmb);
        var results = new List<CrashOutcome> { await SettleAndJudgeAsync(Run(resumed.Disk, resumed.Rpmb, at), point, index * SecondLevelStride, before, cancel).ConfigureAwait(false) };

        WriteLog log = resumed.DiskLog;
        var random = new SeededRandom(unchecked(_options.Seed * 1_000_003 + index));
        for (int c = 0; c < _options.SecondCuts; c++)
        {
            int prefix = (int)random.NextInt64(log.Count + 1);
            CrashState state = random.NextInt64(3) switch
            {
                1 when log.VolatileCount(prefix) > 0 => CrashState.WithCacheLoss(prefix, new bool[log.VolatileCount(prefix)]),
                2 when prefix < log.Count && log[prefix].Kind == WriteLogEntryKind.Write && log[prefix].SectorCount > 1 => CrashState.TornWrite(prefix, (int)(log[prefix].SectorCount / 2)),
                _ => CrashState.AfterPrefix(prefix),
            };
            var second = new BoardCut(state, 0);
            (IBlockDevice disk2, IBlockDevice rpmb2) = resumed.Rebuild(second);
            results.Add(await SettleAndJudgeAsync(Run(disk2, rpmb2, at), point with { Second = second }, index * SecondLevelStride + 1 + c, before, cancel).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<(CrashOutcome Outcome, BoardRun Run)> EvaluateAsync(CrashPoint point, long order, List<TimelineEntry>? replay, CancellationToken cancel)
    {
        (IBlockDevice disk, IBlockDevice rpmb, StepSnapshot at, RollbackIndexes before) = AtFirstCut(point);
        if (replay is not null)
        {
            CutTimeline(replay, point.First);
        }

        if (point.Second is not BoardCut secondCut)
        {
            BoardRun run = Run(disk, rpmb, at);
            return (await SettleAndJudgeAsync(run, point, order, before, cancel).ConfigureAwait(false), run);
        }

        var resumed = new BoardRecording(disk, rpmb);
        BoardRun first = Run(resumed.Disk, resumed.Rpmb, at);
        await first.PowerOnAsync(AfterCut, _options.MaxBoots, cancel: cancel).ConfigureAwait(false);
        if (secondCut.Disk.Prefix > resumed.DiskLog.Count)
        {
            throw new ArgumentException($"crash id {point}: the power-on after the first cut has {resumed.DiskLog.Count} disk writes", nameof(point));
        }

        replay?.AddRange(first.Timeline);
        (IBlockDevice disk2, IBlockDevice rpmb2) = resumed.Rebuild(secondCut);
        BoardRun second = Run(disk2, rpmb2, at);
        second.Note(AfterCut, LabEventKinds.PowerCut, $"second power cut at crash state {secondCut} of the {resumed.DiskLog.Count} disk writes of that power-on", e => e with { Reason = secondCut.ToString() });
        return (await SettleAndJudgeAsync(second, point, order, before, cancel).ConfigureAwait(false), second);
    }

    /// <summary>The devices as the first cut of <paramref name="point"/> leaves them, the bench at that step, and the RPMB's indexes then.</summary>
    private (IBlockDevice Disk, IBlockDevice Rpmb, StepSnapshot At, RollbackIndexes Before) AtFirstCut(CrashPoint point)
    {
        BoardRecording recording = _recorded.Recording;
        if (point.First.Disk.Prefix > recording.DiskLog.Count)
        {
            throw new ArgumentException($"crash id {point}: the recorded run of {_bench.Scenario.Name} has {recording.DiskLog.Count} disk writes", nameof(point));
        }

        (IBlockDevice disk, IBlockDevice rpmb) = recording.Rebuild(point.First);
        return (disk, rpmb, _recorded.StepAt(point.First.Disk.Prefix), Peek(disk, rpmb));
    }

    /// <summary>A run of the board over <paramref name="disk"/> and <paramref name="rpmb"/> with the bench as at step <paramref name="at"/>.</summary>
    private BoardRun Run(IBlockDevice disk, IBlockDevice rpmb, StepSnapshot at) => new(_bench, _options.Seed, disk, rpmb, at, _options.DiskDecorator);

    /// <summary>The recorded run's timeline up to a cut (events whose disk position the cut reached), and the cut.</summary>
    private void CutTimeline(List<TimelineEntry> replay, BoardCut cut)
    {
        IReadOnlyList<TimelineEntry> recorded = _recorded.Run.Timeline;
        IReadOnlyList<int> positions = _recorded.Run.TapPositions;
        for (int i = 0; i < recorded.Count && i < positions.Count && positions[i] <= cut.Disk.Prefix; i++)
        {
            replay.Add(recorded[i]);
        }

        DateTimeOffset time = replay.Count > 0 ? replay[^1].Event.Time : new Time.SimulatedClock().GetUtcNow();
        replay.Add(new TimelineEntry(_recorded.StepAt(cut.Disk.Prefix).Step, new BootEvent(time, LabEventKinds.PowerCut,
            $"power cut at crash state {cut} of the recorded run's {_recorded.Recording.DiskLog.Count} disk writes") { Reason = cut.ToString() }));
    }

    private async Task<CrashOutcome> SettleAndJudgeAsync(BoardRun run, CrashPoint point, long order, RollbackIndexes before, CancellationToken cancel)
    {
        SettleResult settle;
        try
        {
            settle = await run.PowerOnAsync(AfterCut, _options.MaxBoots, cancel: cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CrashOutcome(order, point.ToString(), point.Kind, OutcomeClass.Violation, null, null, 0, $"the power-on threw {e.GetType().Name}: {e.Message}");
        }

        return Judge(run, settle, point, order, before);
    }

    private CrashOutcome Judge(BoardRun run, SettleResult settle, CrashPoint point, long order, RollbackIndexes before)
    {
        using Board board = run.Open();
        string? release = settle.ReleaseId is string id ? _bench.ReleaseName(id) : null;
        CrashOutcome Outcome(OutcomeClass c, string? failure) => new(order, point.ToString(), point.Kind, c, settle.Slot, release, settle.Boots, failure);

        if (ScenarioBench.UserdataHash(board) != _bench.FactoryUserdata)
        {
            return Outcome(OutcomeClass.DataLost, "userdata changed");
        }

        RollbackIndexes after = board.Rpmb.Read();
        if (!after.AllAtLeast(before))
        {
            return Outcome(OutcomeClass.Violation, "a rollback index went down");
        }

        if (Unverified(settle.Events) is string unsigned)
        {
            return Outcome(OutcomeClass.Violation, unsigned);
        }

        if (!settle.Healthy)
        {
            string why = settle.Outcome == "boot-loop" ? $"boot loop: not settled after {settle.Boots} power-ons" : $"bricked: {settle.Events[^1].Message}";
            return Outcome(OutcomeClass.Bricked, _baselineHealthy ? why : null);
        }

        if (!_bench.IsValidRelease(settle.ReleaseId!))
        {
            return Outcome(OutcomeClass.Violation, $"runs release {settle.ReleaseId}, which is not validly signed for this board");
        }

        // The boot flow hashed every payload of this slot just before its kernel started (the events
        // say so, checked above); its headers must still be the signed ones of the same release.
        var slot = settle.Slot == "b" ? Bootloader.Control.Slot.B : Bootloader.Control.Slot.A;
        if (board.Verifier().SignedRelease(slot) != settle.ReleaseId)
        {
            return Outcome(OutcomeClass.Violation, $"the running slot {settle.Slot} does not verify as {settle.ReleaseId}");
        }

        if (settle.Events.Any(e => e.Kind == Recovery.RecoveryEventKinds.Completed))
        {
            return Outcome(OutcomeClass.Recovered, null);
        }

        return Outcome(settle.Events.Any(e => e.Kind == BootEventKind.SlotMarkedUnbootable) ? OutcomeClass.FellBack : OutcomeClass.Clean, null);
    }

    /// <summary>A kernel that started without every partition of its slot verified since the slot was chosen, or null.</summary>
    private static string? Unverified(IReadOnlyList<BootEvent> events)
    {
        var verified = new HashSet<string>();
        foreach (BootEvent e in events)
        {
            if (e.Kind == BootEventKind.SlotChosen || e.Kind == BootEventKind.PowerOn)
            {
                verified.Clear();
            }
            else if (e.Kind == BootEventKind.PartitionVerified && e.Partition is not null)
            {
                verified.Add(e.Partition);
            }
            else if (e.Kind == BootEventKind.KernelStarted)
            {
                int count = verified.Count(p => p.EndsWith("_" + e.Slot, StringComparison.Ordinal) || !p.Contains('_', StringComparison.Ordinal));
                if (count < BoardLayout.SlotPartitionKinds.Count)
                {
                    return $"the kernel of slot {e.Slot} started with {count} of its partitions verified";
                }
            }
        }

        return null;
    }

    private RollbackIndexes Peek(IBlockDevice disk, IBlockDevice rpmb)
    {
        using Board board = _bench.Open(disk, rpmb);
        return board.Rpmb.Peek(out _) ?? RollbackIndexes.Zero;
    }
}
