using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Lab.Network;
using RecoverySim.Lab.Time;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Tftp;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// One run of a board on its bench: the devices as they are now (overlays over the bench's
/// factory images, so the bench is never written), the state of the recovery sources, the OS's
/// behaviour, the bad sectors, the simulated clock, and the timeline. The scenario runner drives
/// it step by step; a campaign makes one over each crash state and lets it settle.
/// </summary>
public sealed class BoardRun
{
    private readonly List<TimelineEntry> _timeline = [];
    private readonly List<long> _badSectors = [];
    private readonly List<int> _tapPositions = [];
    private readonly List<SimulatedClock> _links = [];
    private IBlockDevice _below;
    private IBlockDevice _rpmb;

    /// <summary>A run from the bench's factory state; <paramref name="seed"/> drives the TFTP link's impairments and generated choices.</summary>
    public BoardRun(ScenarioBench bench, long seed)
        : this(bench, seed, new OverlayBlockDevice(bench.Disk), new OverlayBlockDevice(bench.Rpmb))
    {
    }

    /// <summary>A run over given devices (a crash state), with the sources, OS, bad sectors and clock of <paramref name="like"/> when given.</summary>
    public BoardRun(ScenarioBench bench, long seed, IBlockDevice disk, IBlockDevice rpmb, StepSnapshot? like = null, Func<IBlockDevice, IBlockDevice>? diskDecorator = null)
    {
        DiskDecorator = diskDecorator;
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(rpmb);
        Bench = bench;
        Seed = seed;
        _below = disk;
        _rpmb = rpmb;
        Tftp = like?.Tftp ?? bench.Scenario.Tftp;
        Usb = like?.Usb ?? bench.Scenario.Usb;
        Health = like?.Health ?? OsHealth.Healthy;
        Clock = new SimulatedClock();
        if (like is not null)
        {
            _badSectors.AddRange(like.BadSectors);
            Clock.Advance(like.Elapsed);
        }
    }

    /// <summary>The bench.</summary>
    public ScenarioBench Bench { get; }

    /// <summary>The update agent's state across <c>ota</c> steps.</summary>
    public Recovery.Updates.MemoryUpdateStateStore UpdateState { get; } = new();

    /// <summary>The bench's update server as this run sees it (signing on the run's clock); made at the first <c>ota</c> step.</summary>
    public BenchUpdateServer? UpdateServer { get; set; }

    /// <summary>The update agent's download area: its region of the disk the run writes now (so a recording or a fault device sees its writes).</summary>
    public Recovery.Updates.DownloadArea DownloadArea() =>
        Bench.DownloadAreaBytes == 0
            ? throw new InvalidOperationException("the scenario has no ota step, so its disk has no download area")
            : new(new PartitionDevice(Disk, Bench.DownloadAreaOffset / Board.SectorSize, Bench.DownloadAreaBytes / Board.SectorSize));

    /// <summary>The run's seed.</summary>
    public long Seed { get; }

    /// <summary>The TFTP server now.</summary>
    public TftpSourceState Tftp { get; set; }

    /// <summary>The USB stick now.</summary>
    public UsbSourceState Usb { get; set; }

    /// <summary>How the OS behaves at the next power-ons.</summary>
    public OsHealth Health { get; set; }

    /// <summary>The run's simulated clock (TFTP timers, boots, waits).</summary>
    public SimulatedClock Clock { get; }

    /// <summary>The timeline so far.</summary>
    public IReadOnlyList<TimelineEntry> Timeline => _timeline;

    /// <summary>How the last power-on ended, or null before the first.</summary>
    public SettleResult? LastPowerOn { get; private set; }

    /// <summary>The disk as the board sees it (bad sectors included).</summary>
    public IBlockDevice Disk
    {
        get
        {
            IBlockDevice disk = _badSectors.Count == 0 ? _below : WithBadSectors(_below);
            return DiskDecorator is null ? disk : DiskDecorator(disk);
        }
    }

    /// <summary>Wraps the disk each time a board is opened (a campaign's buggy storage stack under test), or null.</summary>
    public Func<IBlockDevice, IBlockDevice>? DiskDecorator { get; }

    /// <summary>The disk under the bad-sector layer (what a recording wraps).</summary>
    public IBlockDevice DiskBelow => _below;

    /// <summary>The RPMB.</summary>
    public IBlockDevice Rpmb => _rpmb;

    /// <summary>Replaces the devices (after a power cut rebuilt them).</summary>
    public void Replace(IBlockDevice disk, IBlockDevice rpmb)
    {
        _below = disk ?? throw new ArgumentNullException(nameof(disk));
        _rpmb = rpmb ?? throw new ArgumentNullException(nameof(rpmb));
    }

    /// <summary>The disk's bad sectors (absolute sector numbers).</summary>
    public IReadOnlyList<long> BadSectors => _badSectors;

    /// <summary>
    /// While set, every event added to the timeline notes this position (a recording's disk log
    /// length), so that a power cut can drop the events that came after it.
    /// </summary>
    public Func<int>? Tap { get; set; }

    /// <summary>The positions noted since the tap was last cleared, one per event added.</summary>
    public IReadOnlyList<int> TapPositions => _tapPositions;

    /// <summary>Forgets the noted positions.</summary>
    public void ClearTap() => _tapPositions.Clear();

    /// <summary>Adds a sector of the disk that fails every read and write from now on.</summary>
    public void AddBadSector(long sector) => _badSectors.Add(sector);

    /// <summary>The board over the current devices (or <paramref name="disk"/>/<paramref name="rpmb"/> when given).</summary>
    public Board Open(IBlockDevice? disk = null, IBlockDevice? rpmb = null) => Bench.Open(disk ?? Disk, rpmb ?? _rpmb);

    /// <summary>Adds a Lab event to the timeline.</summary>
    public void Note(string step, BootEventKind kind, string message, Func<BootEvent, BootEvent>? details = null)
    {
        var e = new BootEvent(Clock.GetUtcNow(), kind, message);
        Add(step, details is null ? e : details(e));
    }

    /// <summary>Adds an event that happened on the board to the timeline.</summary>
    public void Add(string step, BootEvent e)
    {
        _timeline.Add(new TimelineEntry(step, e));
        if (Tap is not null)
        {
            _tapPositions.Add(Tap());
        }
    }

    /// <summary>Drops the timeline entries after the first <paramref name="count"/> (events a power cut undid).</summary>
    public void TruncateTimeline(int count) => _timeline.RemoveRange(count, _timeline.Count - count);

    /// <summary>Moves the clock on to <paramref name="time"/> when it lies ahead (the end of a boot).</summary>
    public void CatchUp(DateTimeOffset time)
    {
        TimeSpan ahead = time - Clock.GetUtcNow();
        if (ahead > TimeSpan.Zero)
        {
            Clock.Advance(ahead);
        }
    }

    /// <summary>
    /// Powers the board on and lets it settle: power-on sequences (bootloader, recovery, reset, OS)
    /// until the OS marks a slot successful, recovery gives up (the board waits for a user), or
    /// <paramref name="maxBoots"/> power-ons pass; a hung or crashed OS is reset by the watchdog.
    /// Storage faults propagate. Events go to the timeline under <paramref name="step"/> and to
    /// <paramref name="observer"/>.
    /// </summary>
    public async Task<SettleResult> PowerOnAsync(string step, int maxBoots, Action<BootEvent>? observer = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBoots, 1);
        var events = new List<BootEvent>();
        int boots = 0;
        bool recovered = false;
        PowerOnResult? last = null;
        string outcome = "boot-loop";
        while (boots < maxBoots)
        {
            using Board board = Open();
            _links.Clear();
            var sequence = new PowerOnSequence(board, Sources(), Clock, new RecoveryOptions { DurableInterval = 1 << 20 }, e =>
            {
                events.Add(e);
                Add(step, e);
                observer?.Invoke(e);
            });
            last = await sequence.RunAsync(Health, cancel).ConfigureAwait(false);
            foreach (SimulatedClock link in _links)
            {
                // The link's time (transfers, timeouts) passes after the power-on's events: see Sources.
                Clock.Advance(link.Elapsed);
            }

            boots += last.PowerOns;
            recovered |= last.Recovery is { Completed: true };
            if (last.Events.Count > 0)
            {
                CatchUp(last.Events[^1].Time);
            }

            if (last.Outcome == BootOutcome.Bricked)
            {
                outcome = "bricked";
                break;
            }

            if (last.LastBoot.MarkedSuccessful)
            {
                outcome = recovered ? "recovered" : "booted";
                break;
            }

            Note(step, LabEventKinds.WatchdogReset, $"the OS {(last.LastBoot.Os is OsOutcome.Hung ? "hung" : "crashed")} before marking slot {last.LastBoot.Slot} successful: the watchdog resets the board");
            events.Add(_timeline[^1].Event);
        }

        if (outcome == "boot-loop")
        {
            Note(step, LabEventKinds.BootLoop, $"the board did not settle within {maxBoots} power-ons");
            events.Add(_timeline[^1].Event);
        }

        LastPowerOn = new SettleResult(outcome, boots, last!, events);
        return LastPowerOn;
    }

    /// <summary>
    /// Recovery's sources as the bench has them now, in the board's order. Each TFTP source runs
    /// on a link with a simulated clock of its own: recovery writes while the transfer runs on
    /// another thread, so reading one clock from both would stamp events by thread timing; with
    /// two clocks a run replays event for event, time included, and the link's time is added to
    /// the board's after the power-on.
    /// </summary>
    public IReadOnlyList<GoldenImageSource> Sources()
    {
        var sources = new List<GoldenImageSource>();
        foreach (RecoverySource kind in Bench.Scenario.SourceOrder)
        {
            if (kind == RecoverySource.Tftp && Tftp.Release is string served)
            {
                sources.Add(TftpSource(served));
            }
            else if (kind == RecoverySource.Usb && Usb is { Present: true, Release: string held })
            {
                IBlockDevice stick = Bench.Stick(held);
                sources.Add(new UsbImageSource("usb stick", () => new OverlayBlockDevice(stick)));
            }
        }

        return sources;
    }

    private GoldenImageSource TftpSource(string release)
    {
        // A server that is down is a link that loses every datagram: the client's own timeouts and
        // retries run on the simulated clock.
        var impairment = !Tftp.Up ? new Network.LinkImpairment { LossRate = 1 } : Tftp.Lossy
            ? new Network.LinkImpairment
            {
                LossRate = Tftp.LossPercent / 100.0,
                DuplicateRate = Tftp.DuplicatePercent / 100.0,
                ReorderRate = Tftp.ReorderPercent / 100.0,
                ReorderDelay = TimeSpan.FromMilliseconds(2),
            }
            : null;
        var clock = new SimulatedClock(Clock.GetUtcNow());
        _links.Add(clock);
        var link = new InMemoryTftpLink(new TftpServerOptions { Root = Bench.TftpRoot, Timeout = TimeSpan.FromMilliseconds(500), MaxRetries = 20 }, clock,
            impairment, impairment, unchecked((int)Seed));
        string file = ScenarioBench.TftpFile(release);
        var options = new TftpClientOptions { BlockSize = 1428, WindowSize = 8, Timeout = TimeSpan.FromMilliseconds(500), MaxRetries = 8 };
        return new TftpImageSource($"tftp {InMemoryTftpLink.ServerEndPoint.Address}/{file}", link.OpenClient, file, options, clock) { Attempts = Tftp.Attempts };
    }

    private FaultyBlockDevice WithBadSectors(IBlockDevice below)
    {
        var faulty = new FaultyBlockDevice(below, Seed, leaveOpen: true);
        foreach (long sector in _badSectors)
        {
            faulty.AddBadSectors(sector);
        }

        return faulty;
    }
}
