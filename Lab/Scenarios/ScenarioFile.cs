using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// Reads scenario files strictly (docs/SCENARIOS.md): unknown fields, unknown step kinds, a field
/// of another step kind, a reference to a release or key that is not defined, and every value out
/// of range are errors naming their JSON path (<c>FILE: $.steps[2].partition: expected ..., found ...</c>).
/// </summary>
public static class ScenarioFile
{
    /// <summary>Largest scenario file read.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Most steps in one scenario.</summary>
    public const int MaxSteps = 512;

    /// <summary>Most releases and keys in one scenario.</summary>
    public const int MaxReleases = 16;

    /// <summary>Largest partition or payload, in KiB (the Lab builds boards in memory).</summary>
    public const int MaxKib = 256 << 10;

    /// <summary>Most power-ons one <c>power-on</c> step may take.</summary>
    public const int MaxBootsLimit = 1000;

    /// <summary>Longest version string (the partition header holds 64 bytes of it).</summary>
    public const int MaxVersionLength = 63;

    private static StrictJsonFormat<ScenarioDocument> Format { get; } = new(ScenarioJsonContext.Default, MaxFileBytes, maxDepth: 4);

    private static readonly (string Name, BoardProfile Value)[] Profiles = [("ab", BoardProfile.Ab), ("single", BoardProfile.Single)];

    private static readonly (string Name, RecoverySource Value)[] Sources = [("tftp", RecoverySource.Tftp), ("usb", RecoverySource.Usb)];

    private static readonly (string Name, RecoverySource Value)[] RequestSources = [("any", RecoverySource.Any), ("tftp", RecoverySource.Tftp), ("usb", RecoverySource.Usb)];

    private static readonly (string Name, CorruptionKind Value)[] Corruptions =
        [("header", CorruptionKind.Header), ("payload", CorruptionKind.Payload), ("bit-flips", CorruptionKind.BitFlips), ("erase", CorruptionKind.Erase), ("boot-control", CorruptionKind.BootControl)];

    private static readonly (string Name, BootControlCopies Value)[] Copies = [("primary", BootControlCopies.Primary), ("backup", BootControlCopies.Backup), ("both", BootControlCopies.Both)];

    private static readonly (string Name, bool Value)[] TftpStates = [("up", true), ("down", false)];

    private static readonly (string Name, bool Value)[] UsbStates = [("present", true), ("absent", false)];

    private static readonly (string Name, string Value)[] Outcomes = [("booted", "booted"), ("recovered", "recovered"), ("bricked", "bricked"), ("boot-loop", "boot-loop")];

    /// <summary>Largest <c>interrupt_after_bytes</c> of an <c>ota</c> step: 1 GiB.</summary>
    public const long MaxInterruptBytes = 1L << 30;

    /// <summary>The fields each step kind takes besides <c>step</c>.</summary>
    public static IReadOnlyDictionary<string, string[]> StepFields { get; } = new Dictionary<string, string[]>
    {
        ["update"] = ["release", "package"],
        ["ota"] = ["release", "package", "interrupt_after_bytes"],
        ["request-recovery"] = ["source"],
        ["corrupt"] = ["partition", "what", "offset", "length", "count", "copies"],
        ["flash-partition"] = ["partition", "release"],
        ["bad-sector"] = ["partition", "offset"],
        ["os-health"] = ["health"],
        ["power-cut"] = ["write", "generated", "torn", "cache_loss"],
        ["power-on"] = ["max_boots"],
        ["tftp"] = ["state", "release", "loss_percent", "duplicate_percent", "reorder_percent"],
        ["usb"] = ["state", "release"],
        ["wait"] = ["seconds"],
        ["expect"] = ["outcome", "slot", "release", "userdata_intact", "events", "events_absent", "boots", "max_boots_taken"],
    };

    /// <summary>Reads the scenario file at <paramref name="path"/>.</summary>
    /// <exception cref="JsonInputException">The file does not follow the format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Scenario Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromDocument(Format.ReadFile(path), new JsonFieldValidator(path));
    }

    /// <summary>Reads a scenario from <paramref name="json"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="JsonInputException">The bytes do not follow the format.</exception>
    public static Scenario Parse(ReadOnlySpan<byte> json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return FromDocument(Format.Read(json, source), new JsonFieldValidator(source));
    }

    private static bool IsName(string text) =>
        text.Length is >= 1 and <= 64 && text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.');

    private static Scenario FromDocument(ScenarioDocument d, JsonFieldValidator v)
    {
        string name = v.Text("$.name", d.Name, IsName, "a name of 1 to 64 characters a-z 0-9 . _ -");
        ScenarioBoard board = Board(d.Board, v);

        var keys = new List<ScenarioKey>();
        IReadOnlyList<ScenarioKeyDocument> keyDocs = d.Keys is null ? [new ScenarioKeyDocument { Name = "release" }] : v.Count("$.keys", d.Keys, 1, MaxReleases, "keys");
        for (int i = 0; i < keyDocs.Count; i++)
        {
            string path = StrictJson.Element("$.keys", i);
            string keyName = v.Text(StrictJson.Member(path, "name"), keyDocs[i].Name, IsName, "a key name of 1 to 64 characters a-z 0-9 . _ -");
            if (keys.Any(k => k.Name == keyName))
            {
                throw v.Error(StrictJson.Member(path, "name"), "a name no other key has", StrictJson.Quote(keyName));
            }

            keys.Add(new ScenarioKey(keyName, keyDocs[i].Trusted ?? true));
        }

        if (!keys.Any(k => k.Trusted))
        {
            throw v.Error("$.keys", "at least one trusted key (the board's fuses need one)", "none trusted");
        }

        var releases = new List<ScenarioRelease>();
        IReadOnlyList<ScenarioReleaseDocument> releaseDocs = v.Count("$.releases", d.Releases, 1, MaxReleases, "releases");
        for (int i = 0; i < releaseDocs.Count; i++)
        {
            releases.Add(Release(releaseDocs[i], StrictJson.Element("$.releases", i), i, board, keys, releases, v));
        }

        string flash = ReleaseName(v, "$.flash", d.Flash, releases);
        IReadOnlyList<RecoverySource> order = d.Sources?.Order is null ? [RecoverySource.Tftp, RecoverySource.Usb] : SourceOrder(d.Sources.Order, v);
        TftpSourceState tftp = Tftp("$.sources.tftp", d.Sources?.Tftp, new TftpSourceState(false, null, 0, 0, 0, 2), releases, v);
        UsbSourceState usb = Usb("$.sources.usb", d.Sources?.Usb?.State, d.Sources?.Usb?.Release, new UsbSourceState(false, null), releases, v);

        var steps = new List<ScenarioStep>();
        IReadOnlyList<ScenarioStepDocument> stepDocs = v.Count("$.steps", d.Steps, 1, MaxSteps, "steps");
        for (int i = 0; i < stepDocs.Count; i++)
        {
            steps.Add(Step(stepDocs[i], StrictJson.Element("$.steps", i), board, releases, steps.LastOrDefault(s => s is TftpStep) is TftpStep t ? t.State : tftp, v));
        }

        if (steps.LastOrDefault(s => s is not ExpectStep) is PowerCutStep dangling)
        {
            throw v.Error(dangling.Path, "a power-cut followed by the update or power-on step it cuts", "a power-cut with nothing after it");
        }

        return new Scenario
        {
            Name = name,
            Description = d.Description ?? "",
            Reproduces = d.Reproduces ?? "",
            Board = board,
            Keys = keys,
            Releases = releases,
            Flash = flash,
            SourceOrder = order,
            Tftp = tftp,
            Usb = usb,
            Steps = steps,
        };
    }

    private static ScenarioBoard Board(ScenarioBoardDocument? d, JsonFieldValidator v)
    {
        BoardProfile profile = v.Choice("$.board.profile", d?.Profile, Profiles, "ab");
        string boardId = v.Text("$.board.board_id", d?.BoardId, IsName, "a board id of 1 to 64 characters a-z 0-9 . _ -", "rsim-lab");
        long Kib(string field, int? value, int fallback, int min = (int)(PartitionSizes.MinimumPartition / 1024))
        {
            int kib = v.Integer($"$.board.{field}", value, min, MaxKib, fallback);
            if (kib * 1024L % PartitionSizes.Granularity != 0)
            {
                throw v.Error($"$.board.{field}", $"a multiple of {PartitionSizes.Granularity / 1024} KiB", kib.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return kib * 1024L;
        }

        var sizes = new PartitionSizes(Kib("misc_kib", d?.MiscKib, 1024, (int)(MiscLayout.MinimumSize / 1024)), Kib("boot_kib", d?.BootKib, 256), Kib("system_kib", d?.SystemKib, 3072),
            Kib("vendor_kib", d?.VendorKib, 256), Kib("userdata_kib", d?.UserdataKib, 64));
        var limits = new BootLimits(
            v.Integer("$.board.max_tries", d?.MaxTries, 1, SlotState.MaxTries, BootLimits.Default.MaxTries),
            v.Integer("$.board.max_boots_before_recovery", d?.MaxBootsBeforeRecovery, 1, BootLimits.MaxBootLimit, BootLimits.Default.MaxBootsBeforeRecovery),
            v.Integer("$.board.health_check_seconds", d?.HealthCheckSeconds, 0, BootLimits.MaxHealthCheckSeconds, BootLimits.Default.HealthCheckSeconds));
        return new ScenarioBoard(profile, boardId, sizes, limits);
    }

    private static ScenarioRelease Release(ScenarioReleaseDocument d, string path, int index, ScenarioBoard board, IReadOnlyList<ScenarioKey> keys, IReadOnlyList<ScenarioRelease> before, JsonFieldValidator v)
    {
        string name = v.Text(StrictJson.Member(path, "name"), d.Name, IsName, "a release name of 1 to 64 characters a-z 0-9 . _ -");
        if (before.Any(r => r.Name == name))
        {
            throw v.Error(StrictJson.Member(path, "name"), "a name no other release has", StrictJson.Quote(name));
        }

        string version = v.Text(StrictJson.Member(path, "version"), d.Version, t => t.Length is >= 1 and <= MaxVersionLength && t.All(c => c is > ' ' and < (char)0x7f),
            $"a version of 1 to {MaxVersionLength} printable ASCII characters");
        ulong rollback = (ulong)v.Integer(StrictJson.Member(path, "rollback_index"), d.RollbackIndex, 0, long.MaxValue);
        string key = d.Key is null ? keys.First(k => k.Trusted).Name
            : keys.Any(k => k.Name == d.Key) ? d.Key : throw v.Error(StrictJson.Member(path, "key"), $"one of the keys ({string.Join(", ", keys.Select(k => k.Name))})", StrictJson.Quote(d.Key));
        string boardId = v.Text(StrictJson.Member(path, "board_id"), d.BoardId, IsName, "a board id of 1 to 64 characters a-z 0-9 . _ -", board.BoardId);
        int Payload(string kind, int? kib, int fallback)
        {
            long room = board.Sizes.Of(kind) - PartitionHeader.Size;
            int max = (int)Math.Min(int.MaxValue / 1024, room / 1024);
            return v.Integer(StrictJson.Member(path, kind + "_kib"), kib, 1, max, Math.Min(fallback, max)) * 1024;
        }

        bool zstd = v.Choice(StrictJson.Member(path, "compression"), d.Compression, [("none", false), ("zstd", true)], "none");
        int seed = v.Integer(StrictJson.Member(path, "seed"), d.Seed, 0, int.MaxValue, index + 1);
        return new ScenarioRelease(name, version, rollback, key, boardId, Payload("boot", d.BootKib, 100), Payload("system", d.SystemKib, 2560), Payload("vendor", d.VendorKib, 100), zstd, seed);
    }

    private static IReadOnlyList<RecoverySource> SourceOrder(List<string> order, JsonFieldValidator v)
    {
        v.Count("$.sources.order", order, 0, Sources.Length, "sources");
        var result = new List<RecoverySource>();
        for (int i = 0; i < order.Count; i++)
        {
            RecoverySource source = v.Choice(StrictJson.Element("$.sources.order", i), order[i], Sources);
            if (result.Contains(source))
            {
                throw v.Error(StrictJson.Element("$.sources.order", i), "each source once", StrictJson.Quote(order[i]));
            }

            result.Add(source);
        }

        return result;
    }

    private static TftpSourceState Tftp(string path, ScenarioTftpDocument? d, TftpSourceState current, IReadOnlyList<ScenarioRelease> releases, JsonFieldValidator v) =>
        d is null ? current : TftpState(path, d.State, d.Release, d.LossPercent, d.DuplicatePercent, d.ReorderPercent, d.Attempts, current, releases, v);

    private static TftpSourceState TftpState(string path, string? state, string? release, int? loss, int? duplicate, int? reorder, int? attempts, TftpSourceState current, IReadOnlyList<ScenarioRelease> releases, JsonFieldValidator v)
    {
        bool up = v.Choice(StrictJson.Member(path, "state"), state, TftpStates, current.Up ? "up" : "down");
        string? served = release is null ? current.Release : ReleaseName(v, StrictJson.Member(path, "release"), release, releases);
        return new TftpSourceState(up, served,
            v.Integer(StrictJson.Member(path, "loss_percent"), loss, 0, 50, current.LossPercent),
            v.Integer(StrictJson.Member(path, "duplicate_percent"), duplicate, 0, 50, current.DuplicatePercent),
            v.Integer(StrictJson.Member(path, "reorder_percent"), reorder, 0, 50, current.ReorderPercent),
            v.Integer(StrictJson.Member(path, "attempts"), attempts, 1, 10, current.Attempts));
    }

    private static UsbSourceState Usb(string path, string? state, string? release, UsbSourceState current, IReadOnlyList<ScenarioRelease> releases, JsonFieldValidator v)
    {
        bool present = v.Choice(StrictJson.Member(path, "state"), state, UsbStates, current.Present || release is not null ? "present" : "absent");
        string? held = release is null ? current.Release : ReleaseName(v, StrictJson.Member(path, "release"), release, releases);
        return new UsbSourceState(present, held);
    }

    private static string ReleaseName(JsonFieldValidator v, string path, string? name, IReadOnlyList<ScenarioRelease> releases) =>
        name is not null && releases.Any(r => r.Name == name) ? name
            : throw v.Error(path, $"one of the releases ({string.Join(", ", releases.Select(r => r.Name))})", name is null ? "nothing" : StrictJson.Quote(name));

    private static ScenarioStep Step(ScenarioStepDocument d, string path, ScenarioBoard board, IReadOnlyList<ScenarioRelease> releases, TftpSourceState tftp, JsonFieldValidator v)
    {
        if (!StepFields.TryGetValue(d.Step, out string[]? allowed))
        {
            throw v.Error(StrictJson.Member(path, "step"), $"a step kind ({string.Join(", ", StepFields.Keys)})", StrictJson.Quote(d.Step));
        }

        foreach ((string field, bool present) in Present(d))
        {
            if (present && !allowed.Contains(field))
            {
                throw v.Error(StrictJson.Member(path, field), $"only fields of a \"{d.Step}\" step ({string.Join(", ", allowed)})", $"field '{field}'");
            }
        }

        string Member(string field) => StrictJson.Member(path, field);
        switch (d.Step)
        {
            case "update":
                if (board.Profile != BoardProfile.Ab)
                {
                    throw v.Error(Member("step"), "an update only on an A/B board (profile ab)", "a single-slot board");
                }

                return new UpdateStep(path, ReleaseName(v, Member("release"), d.Release, releases), v.Choice(Member("package"), d.Package, [("full", false), ("delta", true)], "full"));
            case "ota":
                if (board.Profile != BoardProfile.Ab)
                {
                    throw v.Error(Member("step"), "an over-the-air update only on an A/B board (profile ab)", "a single-slot board");
                }

                return new OtaStep(path, ReleaseName(v, Member("release"), d.Release, releases), v.Choice(Member("package"), d.Package, [("full", false), ("delta", true)], "full"),
                    d.InterruptAfterBytes is null ? null : v.Integer(Member("interrupt_after_bytes"), d.InterruptAfterBytes, 1, MaxInterruptBytes));
            case "request-recovery":
                return new RequestRecoveryStep(path, v.Choice(Member("source"), d.Source, RequestSources, "any"));
            case "corrupt":
            {
                string partition = PartitionName(v, Member("partition"), d.Partition, board, slotsOnly: false);
                CorruptionKind what = v.Choice(Member("what"), d.What, Corruptions);
                long size = board.Sizes.Of(BoardLayout.KindOf(partition));
                if (what == CorruptionKind.BootControl && partition != BoardLayout.Misc)
                {
                    throw v.Error(Member("partition"), "misc (the boot control block lives there)", StrictJson.Quote(partition));
                }

                if (what != CorruptionKind.BootControl && (partition == BoardLayout.Misc || partition == BoardLayout.Userdata))
                {
                    throw v.Error(Member("partition"), "a slot partition (boot_a, system_b, ...)", StrictJson.Quote(partition));
                }

                long offset = v.Integer(Member("offset"), d.Offset, 0, size - 1, 0);
                long length = v.Integer(Member("length"), d.Length, 1, size - offset, Math.Min(4096, size - offset));
                int count = v.Integer(Member("count"), d.Count, 1, 1 << 20, 1);
                BootControlCopies copies = what == CorruptionKind.BootControl ? v.Choice(Member("copies"), d.Copies, Copies, "both") : BootControlCopies.None;
                return new CorruptStep(path, partition, what, offset, length, count, copies);
            }

            case "flash-partition":
                return new FlashPartitionStep(path, PartitionName(v, Member("partition"), d.Partition, board, slotsOnly: true), ReleaseName(v, Member("release"), d.Release, releases));
            case "bad-sector":
            {
                string partition = PartitionName(v, Member("partition"), d.Partition, board, slotsOnly: true);
                long size = board.Sizes.Of(BoardLayout.KindOf(partition));
                return new BadSectorStep(path, partition, v.Integer(Member("offset"), d.Offset, 0, size - 1, 0));
            }

            case "os-health":
                return new OsHealthStep(path, OsHealth.TryParse(d.Health, out OsHealth health) ? health
                    : throw v.Error(Member("health"), $"healthy, hang or crash-after=N (N = 0 to {OsHealth.MaxCrashSeconds} seconds)", d.Health is null ? "nothing" : StrictJson.Quote(d.Health)));
            case "power-cut":
                if (d.Write is not null == (d.Generated ?? false))
                {
                    throw v.Error(path, "either \"write\": N or \"generated\": true", d.Write is null ? "neither" : "both");
                }

                return new PowerCutStep(path, d.Write is null ? null : v.Integer(Member("write"), d.Write, 0, int.MaxValue), d.Torn ?? false, d.CacheLoss ?? false);
            case "power-on":
                return new PowerOnStep(path, v.Integer(Member("max_boots"), d.MaxBoots, 1, MaxBootsLimit, 12));
            case "tftp":
                return new TftpStep(path, TftpState(path, d.State, d.Release, d.LossPercent, d.DuplicatePercent, d.ReorderPercent, null, tftp, releases, v));
            case "usb":
                return new UsbStep(path, Usb(path, d.State, d.Release, new UsbSourceState(false, null), releases, v));
            case "wait":
                return new WaitStep(path, v.Integer(Member("seconds"), d.Seconds, 0, 365 * 86400));
            default:
            {
                string? slot = d.Slot is null ? null : v.Choice<string>(Member("slot"), d.Slot, board.Profile == BoardProfile.Ab ? [("a", "a"), ("b", "b")] : [("a", "a")]);
                return new ExpectStep(path, new Expectation
                {
                    Outcome = d.Outcome is null ? null : v.Choice(Member("outcome"), d.Outcome, Outcomes),
                    Slot = slot,
                    Release = d.Release is null ? null : ReleaseName(v, Member("release"), d.Release, releases),
                    UserdataIntact = d.UserdataIntact,
                    Events = EventKinds(v, Member("events"), d.Events),
                    EventsAbsent = EventKinds(v, Member("events_absent"), d.EventsAbsent),
                    Boots = d.Boots is null ? null : v.Integer(Member("boots"), d.Boots, 0, MaxBootsLimit),
                    MaxBootsTaken = d.MaxBootsTaken is null ? null : v.Integer(Member("max_boots_taken"), d.MaxBootsTaken, 0, MaxBootsLimit),
                });
            }
        }
    }

    private static IReadOnlyList<string> EventKinds(JsonFieldValidator v, string path, List<string>? kinds)
    {
        if (kinds is null)
        {
            return [];
        }

        v.Count(path, kinds, 0, 64, "event kinds");
        for (int i = 0; i < kinds.Count; i++)
        {
            v.Text(StrictJson.Element(path, i), kinds[i], k => k.Length is >= 1 and <= 64 && k.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'), "an event kind (kebab-case, as the timeline shows it)");
        }

        return kinds;
    }

    private static string PartitionName(JsonFieldValidator v, string path, string? name, ScenarioBoard board, bool slotsOnly)
    {
        IReadOnlyList<string> names = slotsOnly ? BoardLayout.Partitions(board.Profile).Where(p => p != BoardLayout.Misc && p != BoardLayout.Userdata).ToArray() : BoardLayout.Partitions(board.Profile);
        return name is not null && names.Contains(name) ? name : throw v.Error(path, $"a partition of the board ({string.Join(", ", names)})", name is null ? "nothing" : StrictJson.Quote(name));
    }

    private static IEnumerable<(string Field, bool Present)> Present(ScenarioStepDocument d) =>
    [
        ("release", d.Release is not null), ("package", d.Package is not null), ("interrupt_after_bytes", d.InterruptAfterBytes is not null), ("source", d.Source is not null), ("partition", d.Partition is not null), ("what", d.What is not null),
        ("offset", d.Offset is not null), ("length", d.Length is not null), ("count", d.Count is not null), ("copies", d.Copies is not null),
        ("health", d.Health is not null), ("write", d.Write is not null), ("generated", d.Generated is not null), ("torn", d.Torn is not null),
        ("cache_loss", d.CacheLoss is not null), ("max_boots", d.MaxBoots is not null), ("state", d.State is not null),
        ("loss_percent", d.LossPercent is not null), ("duplicate_percent", d.DuplicatePercent is not null), ("reorder_percent", d.ReorderPercent is not null),
        ("seconds", d.Seconds is not null), ("outcome", d.Outcome is not null), ("slot", d.Slot is not null), ("userdata_intact", d.UserdataIntact is not null),
        ("events", d.Events is not null), ("events_absent", d.EventsAbsent is not null), ("boots", d.Boots is not null), ("max_boots_taken", d.MaxBootsTaken is not null),
    ];
}
