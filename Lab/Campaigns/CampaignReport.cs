using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml;
using RecoverySim.Bootloader.Boot;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// A campaign's result (docs/SCENARIOS.md "Reports"): every state's outcome in campaign order,
/// counts by kind and class, the failures with their crash ids, the shrunk failure, and a digest
/// over everything but timings, so that two runs (or the merge of shards) compare bit for bit.
/// </summary>
public sealed record CampaignReport
{
    /// <summary>The report format's name in its JSON.</summary>
    public const string FormatName = "recoverysim-powercut-report";

    /// <summary>The scenario's name.</summary>
    public required string Scenario { get; init; }

    /// <summary>The campaign's seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Generated states asked for, or null for an exhaustive campaign.</summary>
    public required int? Samples { get; init; }

    /// <summary>1 or 2.</summary>
    public required int Depth { get; init; }

    /// <summary>The share this report covers.</summary>
    public required Shard Shard { get; init; }

    /// <summary>Disk writes of the recorded run (log entries).</summary>
    public required int DiskWrites { get; init; }

    /// <summary>RPMB writes of the recorded run.</summary>
    public required int RpmbWrites { get; init; }

    /// <summary>First-level states of the whole campaign (all shards).</summary>
    public required int FirstLevelStates { get; init; }

    /// <summary>How the board ends after the uninterrupted run.</summary>
    public required CrashOutcome Baseline { get; init; }

    /// <summary>Every state's outcome, in campaign order.</summary>
    public required IReadOnlyList<CrashOutcome> Outcomes { get; init; }

    /// <summary>The smallest failing state's id, or null when nothing failed.</summary>
    public required string? Shrunk { get; init; }

    /// <summary>Wall time of the run (not in the digest).</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Jobs the run used (not in the digest).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>The failing outcomes.</summary>
    public IEnumerable<CrashOutcome> Failures => Outcomes.Where(o => o.Failed);

    /// <summary>States explored per second.</summary>
    public double StatesPerSecond => Outcomes.Count / Math.Max(1e-9, ElapsedSeconds);

    /// <summary>Outcomes per kind.</summary>
    public IReadOnlyDictionary<CrashKind, int> ByKind => Enum.GetValues<CrashKind>().ToDictionary(k => k, k => Outcomes.Count(o => o.Kind == k));

    /// <summary>Outcomes per class.</summary>
    public IReadOnlyDictionary<OutcomeClass, int> ByClass => Enum.GetValues<OutcomeClass>().ToDictionary(c => c, c => Outcomes.Count(o => o.Class == c));

    /// <summary>"exhaustive" or "samples".</summary>
    public string Mode => Samples is null ? "exhaustive" : "samples";

    /// <summary>
    /// SHA-256 (hex) over the campaign's identity (scenario, seed, mode, depth, recorded writes,
    /// first-level states, baseline) and one line per outcome in order (id, kind, class, slot,
    /// release, boots, failure): equal for equal runs, and for the merge of a campaign's shards.
    /// </summary>
    public string Digest
    {
        get
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{FormatName} 1\n{Scenario}\n{Seed}\n{Mode} {Samples}\n{Depth}\n{DiskWrites} {RpmbWrites}\n{FirstLevelStates}\n");
            Line(text, Baseline);
            foreach (CrashOutcome outcome in Outcomes)
            {
                Line(text, outcome);
            }

            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    private static void Line(StringBuilder text, CrashOutcome o) =>
        text.Append(CultureInfo.InvariantCulture, $"{o.Order}\t{o.Id}\t{Name(o.Kind)}\t{Name(o.Class)}\t{o.Slot}\t{o.Release}\t{o.Boots}\t{o.Failure}\n");

    /// <summary>The kebab-case name of a kind.</summary>
    public static string Name(CrashKind kind) => kind == CrashKind.Depth2 ? "depth-2" : BootOutcomeNames.Kebab(kind);

    /// <summary>The kebab-case name of a class.</summary>
    public static string Name(OutcomeClass c) => BootOutcomeNames.Kebab(c);

    /// <summary>Writes the report as JSON (docs/SCENARIOS.md "Reports").</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", 1);
        writer.WriteString("scenario", Scenario);
        writer.WriteNumber("seed", Seed);
        writer.WriteString("mode", Mode);
        if (Samples is int samples)
        {
            writer.WriteNumber("samples", samples);
        }

        writer.WriteNumber("depth", Depth);
        writer.WriteString("shard", Shard.ToString());
        writer.WriteNumber("disk_writes", DiskWrites);
        writer.WriteNumber("rpmb_writes", RpmbWrites);
        writer.WriteNumber("first_level_states", FirstLevelStates);
        writer.WriteNumber("states", Outcomes.Count);
        writer.WriteNumber("failures", Failures.Count());
        writer.WriteString("digest", Digest);
        writer.WriteNumber("elapsed_ms", (long)Math.Round(ElapsedSeconds * 1000));
        writer.WriteNumber("jobs", Jobs);
        writer.WriteString("shrunk", Shrunk);
        writer.WriteStartObject("by_kind");
        foreach ((CrashKind kind, int n) in ByKind)
        {
            writer.WriteNumber(Name(kind), n);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("by_class");
        foreach ((OutcomeClass c, int n) in ByClass)
        {
            writer.WriteNumber(Name(c), n);
        }

        writer.WriteEndObject();
        writer.WritePropertyName("baseline");
        Baseline.WriteJson(writer);
        writer.WriteStartArray("outcomes");
        foreach (CrashOutcome outcome in Outcomes)
        {
            outcome.WriteJson(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes JUnit XML: one test case per state, a failure element per failing one, with the replay command.</summary>
    public void WriteJUnit(Stream output, string scenarioFile)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scenarioFile);
        using var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", "recoverysim powercut");
        xml.WriteAttributeString("tests", Outcomes.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", Failures.Count().ToString(CultureInfo.InvariantCulture));
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", $"powercut.{Scenario}");
        xml.WriteAttributeString("tests", Outcomes.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", Failures.Count().ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("time", ElapsedSeconds.ToString("0.000", CultureInfo.InvariantCulture));
        xml.WriteStartElement("properties");
        foreach ((string name, string value) in new[] { ("seed", Seed.ToString(CultureInfo.InvariantCulture)), ("mode", Mode), ("depth", Depth.ToString(CultureInfo.InvariantCulture)), ("shard", Shard.ToString()), ("digest", Digest) })
        {
            xml.WriteStartElement("property");
            xml.WriteAttributeString("name", name);
            xml.WriteAttributeString("value", value);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        foreach (CrashOutcome o in Outcomes)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", $"powercut.{Scenario}.{Name(o.Kind)}");
            xml.WriteAttributeString("name", o.Id);
            if (o.Failure is string failure)
            {
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("type", Name(o.Class));
                xml.WriteAttributeString("message", failure);
                xml.WriteString($"replay: recoverysim powercut {scenarioFile} --seed {Seed} --replay {o.Id}");
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    /// <summary>
    /// Merges shard reports of one campaign into the whole campaign's report: same scenario, seed,
    /// mode, depth and recording; every shard of the same count exactly once.
    /// </summary>
    /// <exception cref="ArgumentException">The reports are not the shards of one campaign, saying how.</exception>
    public static CampaignReport Merge(IReadOnlyList<CampaignReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            throw new ArgumentException("no reports to merge", nameof(reports));
        }

        CampaignReport first = reports[0];
        foreach (CampaignReport r in reports)
        {
            if (r.Scenario != first.Scenario || r.Seed != first.Seed || r.Samples != first.Samples || r.Depth != first.Depth
                || r.DiskWrites != first.DiskWrites || r.RpmbWrites != first.RpmbWrites || r.FirstLevelStates != first.FirstLevelStates || r.Shard.Count != first.Shard.Count)
            {
                throw new ArgumentException($"shard {r.Shard} ({r.Scenario}, seed {r.Seed}, {r.Mode}, depth {r.Depth}, {r.DiskWrites} writes) is not of the campaign of shard {first.Shard} ({first.Scenario}, seed {first.Seed}, {first.Mode}, depth {first.Depth}, {first.DiskWrites} writes)", nameof(reports));
            }
        }

        int[] indexes = reports.Select(r => r.Shard.Index).OrderBy(i => i).ToArray();
        if (!indexes.SequenceEqual(Enumerable.Range(0, first.Shard.Count)))
        {
            throw new ArgumentException($"the reports are shards {string.Join(", ", indexes)} of {first.Shard.Count}: every shard 0 to {first.Shard.Count - 1} once is needed", nameof(reports));
        }

        List<CrashOutcome> outcomes = [.. reports.SelectMany(r => r.Outcomes).OrderBy(o => o.Order)];
        string? shrunk = first.Samples is null
            ? outcomes.FirstOrDefault(o => o.Failed)?.Id
            : reports.Select(r => r.Shrunk).Where(s => s is not null).Select(s => CrashPoint.Parse(s!)).OrderBy(p => p.First.Disk.Prefix).ThenBy(p => p.ToString(), StringComparer.Ordinal).FirstOrDefault()?.ToString();
        return first with
        {
            Shard = Shard.Whole,
            Outcomes = outcomes,
            Shrunk = shrunk,
            ElapsedSeconds = reports.Max(r => r.ElapsedSeconds),
            Jobs = reports.Sum(r => r.Jobs),
        };
    }

    /// <summary>Reads a report that <see cref="WriteJson"/> wrote; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="JsonInputException">Not such a report, naming the field.</exception>
    public static CampaignReport Parse(ReadOnlySpan<byte> json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return FromDocument(ReportFormat.Read(json, source), new JsonFieldValidator(source));
    }

    /// <summary>Reads the report file at <paramref name="path"/>.</summary>
    public static CampaignReport Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromDocument(ReportFormat.ReadFile(path), new JsonFieldValidator(path));
    }

    /// <summary>Largest report read.</summary>
    public const int MaxReportBytes = 256 << 20;

    private static StrictJsonFormat<CampaignReportDocument> ReportFormat { get; } = new(CampaignReportJsonContext.Default, MaxReportBytes, maxDepth: 4);

    private static readonly (string, CrashKind)[] Kinds = Enum.GetValues<CrashKind>().Select(k => (Name(k), k)).ToArray();

    private static readonly (string, OutcomeClass)[] Classes = Enum.GetValues<OutcomeClass>().Select(c => (Name(c), c)).ToArray();

    private static CampaignReport FromDocument(CampaignReportDocument d, JsonFieldValidator v)
    {
        v.Text("$.format", d.Format, f => f == FormatName, $"\"{FormatName}\"");
        v.Integer("$.version", d.Version, 1, 1);
        Shard shard;
        try
        {
            shard = Shard.Parse(d.Shard);
        }
        catch (FormatException)
        {
            throw v.Error("$.shard", "K/N", StrictJson.Quote(d.Shard));
        }

        CrashOutcome Outcome(CampaignOutcomeDocument o, string path)
        {
            if (!CrashPoint.TryParse(o.Id, out _, out _))
            {
                throw v.Error(StrictJson.Member(path, "id"), "a crash id", StrictJson.Quote(o.Id));
            }

            return new CrashOutcome(v.Integer(StrictJson.Member(path, "order"), o.Order, -1, long.MaxValue), o.Id,
                v.Choice(StrictJson.Member(path, "kind"), o.Kind, Kinds), v.Choice(StrictJson.Member(path, "class"), o.Class, Classes),
                o.Slot, o.Release, v.Integer(StrictJson.Member(path, "boots"), o.Boots, 0, 100_000), o.Failure);
        }

        var outcomes = new List<CrashOutcome>();
        for (int i = 0; i < d.Outcomes.Count; i++)
        {
            outcomes.Add(Outcome(d.Outcomes[i], StrictJson.Element("$.outcomes", i)));
        }

        var report = new CampaignReport
        {
            Scenario = d.Scenario,
            Seed = d.Seed,
            Samples = d.Samples,
            Depth = v.Integer("$.depth", d.Depth, 1, 2),
            Shard = shard,
            DiskWrites = v.Integer("$.disk_writes", d.DiskWrites, 0, int.MaxValue),
            RpmbWrites = v.Integer("$.rpmb_writes", d.RpmbWrites, 0, int.MaxValue),
            FirstLevelStates = v.Integer("$.first_level_states", d.FirstLevelStates, 0, int.MaxValue),
            Baseline = Outcome(d.Baseline, "$.baseline"),
            Outcomes = outcomes,
            Shrunk = d.Shrunk,
            ElapsedSeconds = d.ElapsedMs / 1000.0,
            Jobs = d.Jobs,
        };
        if (report.Digest != d.Digest)
        {
            throw v.Error("$.digest", $"the digest of the report's outcomes ({report.Digest})", StrictJson.Quote(d.Digest));
        }

        return report;
    }
}
