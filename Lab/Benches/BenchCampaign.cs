using System.Collections.Concurrent;
using System.Text.Json;
using RecoverySim.Lab.Campaigns;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// The bench's power-cut campaign runner (the dashboard's campaign panel): one campaign at a time
/// over a scenario file, run exactly as <c>recoverysim powercut FILE --samples N --seed S</c>
/// runs it (<see cref="Campaign"/>), its <see cref="CampaignProgress"/> pushed as it comes, every
/// failure with its crash id and the command that replays it.
/// </summary>
public sealed class BenchCampaign
{
    /// <summary>Most generated states one dashboard campaign may ask for.</summary>
    public const int MaxSamples = 10_000;

    /// <summary>Shortest time between two progress pushes (a campaign judges thousands of states a second; the last one is always pushed).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private readonly Action _changed;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<CrashOutcome> _failures = new();
    private string _state = "idle";
    private string? _scenario;
    private string? _file;
    private long _seed;
    private int? _samples;
    private CampaignProgress? _progress;
    private CampaignReport? _report;
    private string? _error;
    private Task _run = Task.CompletedTask;

    /// <summary>Creates the runner; <paramref name="changed"/> is called on every change (a state, a progress report).</summary>
    public BenchCampaign(Action changed, TimeProvider time)
    {
        _changed = changed ?? throw new ArgumentNullException(nameof(changed));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Tests put a buggy storage stack under the campaigns (as <see cref="CampaignOptions.DiskDecorator"/>), to see failures come out.</summary>
    internal Func<ScenarioBench, Func<BlockDevice.IBlockDevice, BlockDevice.IBlockDevice>>? DiskDecorator { get; set; }

    /// <summary>The campaign running or last run (completes when it ends; never faults).</summary>
    public Task Completion
    {
        get
        {
            lock (_lock)
            {
                return _run;
            }
        }
    }

    /// <summary>
    /// Starts a campaign over the scenario file <paramref name="path"/>: <paramref name="samples"/>
    /// generated crash states (null: every one) from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ActionConflictException">A campaign is running.</exception>
    /// <exception cref="GoldenImage.Json.JsonInputException">The scenario file is bad (checked before anything starts).</exception>
    public void Start(string path, int? samples, long seed, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_lock)
        {
            if (_state is "recording" or "running")
            {
                throw new ActionConflictException("campaign", $"the campaign over {_scenario}", $"a campaign over {Path.GetFileName(path)}");
            }

            Scenario scenario = ScenarioFile.Load(path);
            var options = new CampaignOptions
            {
                Samples = samples,
                Seed = seed,
                Jobs = Math.Max(1, Environment.ProcessorCount / 2),
                Time = _time,
                Progress = new Reporter(this),
            };
            options.Validate();
            _failures.Clear();
            _state = "recording";
            _scenario = scenario.Name;
            _file = path;
            _seed = seed;
            _samples = samples;
            _progress = null;
            _report = null;
            _error = null;
            _run = Task.Run(() => RunAsync(scenario, options, stop), CancellationToken.None);
        }

        _changed();
    }

    private async Task RunAsync(Scenario scenario, CampaignOptions options, CancellationToken stop)
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("recoverysim-web-campaign-");
        try
        {
            ScenarioBench bench = await ScenarioBench.BuildAsync(scenario, root.FullName, stop).ConfigureAwait(false);
            if (DiskDecorator is { } decorator)
            {
                options = options with { DiskDecorator = decorator(bench) };
            }

            Campaign campaign = await Campaign.PrepareAsync(bench, options, stop).ConfigureAwait(false);
            SetState("running");
            CampaignReport report = await campaign.RunAsync(stop).ConfigureAwait(false);
            lock (_lock)
            {
                _report = report;
                _state = "done";
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Fail("cancelled: the dashboard stopped");
        }
        catch (Exception e) when (e is not (NullReferenceException or IndexOutOfRangeException or InvalidCastException))
        {
            Fail(e.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }

        _changed();
    }

    private void SetState(string state)
    {
        lock (_lock)
        {
            _state = state;
        }

        _changed();
    }

    private void Fail(string error)
    {
        lock (_lock)
        {
            _state = "failed";
            _error = error;
        }
    }

    /// <summary>The command that replays crash state <paramref name="id"/> of the current campaign.</summary>
    public static string ReplayCommand(string file, long seed, string id) => $"recoverysim powercut {file} --seed {seed} --replay {id}";

    /// <summary>Writes the runner's state as one JSON object (docs/WEB.md "Events", <c>campaign</c>).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        lock (_lock)
        {
            w.WriteStartObject();
            w.WriteString("state", _state);
            w.WriteString("scenario", _scenario);
            w.WriteString("file", _file is null ? null : Path.GetFileName(_file));
            w.WriteNumber("seed", _seed);
            if (_samples is int samples)
            {
                w.WriteNumber("samples", samples);
            }
            else
            {
                w.WriteNull("samples");
            }

            int done = _report?.Outcomes.Count ?? _progress?.Done ?? 0;
            w.WriteNumber("done", done);
            w.WriteNumber("total", _report?.Outcomes.Count ?? _progress?.Total ?? 0);
            w.WriteNumber("states_per_second", (long)(_report?.StatesPerSecond ?? _progress?.StatesPerSecond ?? 0));
            w.WriteStartObject("by_class");
            IReadOnlyDictionary<OutcomeClass, int>? byClass = _report?.ByClass ?? _progress?.ByClass;
            foreach (OutcomeClass c in Enum.GetValues<OutcomeClass>())
            {
                w.WriteNumber(CampaignReport.Name(c), byClass is not null && byClass.TryGetValue(c, out int n) ? n : 0);
            }

            w.WriteEndObject();
            w.WriteStartArray("failures");
            IEnumerable<CrashOutcome> failures = _report?.Failures ?? _failures.OrderBy(f => f.Order);
            foreach (CrashOutcome f in failures.Take(100))
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                w.WriteString("class", CampaignReport.Name(f.Class));
                w.WriteString("failure", f.Failure);
                w.WriteString("replay", ReplayCommand(_file!, _seed, f.Id));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("failure_count", _report?.Failures.Count() ?? _progress?.Failures ?? 0);
            w.WriteString("digest", _report?.Digest);
            w.WriteString("error", _error);
            w.WriteEndObject();
        }
    }

    /// <summary>Takes the campaign's progress reports (from its worker threads).</summary>
    private sealed class Reporter(BenchCampaign owner) : IProgress<CampaignProgress>
    {
        private long _lastPush;
        private CampaignProgress? _progress;

        public void Report(CampaignProgress value)
        {
            bool failed = value.Outcome is { Failed: true };
            if (failed)
            {
                owner._failures.Enqueue(value.Outcome!);
            }

            lock (owner._lock)
            {
                if (_progress is null || value.Done > _progress.Done)
                {
                    _progress = value;
                }

                long now = owner._time.GetTimestamp();
                bool due = failed || value.Done == value.Total || _lastPush == 0 || owner._time.GetElapsedTime(_lastPush, now) >= ProgressInterval;
                if (!due)
                {
                    return;
                }

                _lastPush = now;
                owner._progress = _progress;
            }

            owner._changed();
        }
    }
}
