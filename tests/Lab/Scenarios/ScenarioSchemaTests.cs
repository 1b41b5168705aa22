using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Json.Schema;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Lab.Tests.Scenarios;

/// <summary>
/// scenarios/scenario.schema.json says what ScenarioFile reads (docs/SCENARIOS.md "File format"):
/// the same fields in every object, the same step kinds with the same fields, the same defaults, and
/// the same verdict on good and bad documents; every shipped scenario follows both.
/// </summary>
public sealed class ScenarioSchemaTests
{
    private static readonly Lazy<(JsonSchema Schema, JsonElement Root)> Loaded = new(() =>
    {
        string text = File.ReadAllText(Path.Combine(ScenariosDirectory(), "scenario.schema.json"));
        return (JsonSchema.FromText(text), JsonDocument.Parse(text).RootElement.Clone());
    });

    private static JsonSchema Schema => Loaded.Value.Schema;

    private static JsonElement Root => Loaded.Value.Root;

    /// <summary>The parser's view of the file's shape: the metadata its strict walk checks fields against.</summary>
    private static readonly JsonSerializerOptions ParserOptions = StrictJson.SerializerOptions(ScenarioJsonContext.Default);

    private const string Minimal = """
        {"name": "s", "releases": [{"name": "r1", "version": "1.0", "rollback_index": 1}, {"name": "r2", "version": "2.0", "rollback_index": 2}],
         "flash": "r1", "steps": [{"step": "power-on"}, {"step": "expect", "outcome": "booted"}]}
        """;

    [Fact]
    public void TheSchemaIsADraft202012Schema()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Root.GetProperty("$schema").GetString());
        EvaluationResults results = MetaSchemas.Draft202012.Evaluate(Root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Errors(results));
    }

    public static TheoryData<string> Shipped()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(ScenariosDirectory(), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        Assert.True(data.Count >= 12, $"{ScenariosDirectory()} holds {data.Count} scenarios");
        return data;
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryShippedScenarioFollowsTheSchemaAndParses(string file)
    {
        string path = Path.Combine(ScenariosDirectory(), file);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal("./scenario.schema.json", document.RootElement.GetProperty("$schema").GetString());
        EvaluationResults results = Evaluate(document.RootElement);
        Assert.True(results.IsValid, $"{file}: {Errors(results)}");
        Scenario scenario = ScenarioFile.Load(path);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
        Assert.False(string.IsNullOrWhiteSpace(scenario.Description), $"{file} has no description");
        Assert.False(string.IsNullOrWhiteSpace(scenario.Reproduces), $"{file} does not say what it reproduces");
    }

    [Fact]
    public void TheStepKindsAndEachKindsFieldsAreTheParsers()
    {
        Dictionary<string, string[]> schema = SchemaStepFields();
        Assert.Equal(ScenarioFile.StepFields.Keys.Order(StringComparer.Ordinal), schema.Keys.Order(StringComparer.Ordinal));
        foreach ((string kind, string[] fields) in ScenarioFile.StepFields)
        {
            Assert.True(schema[kind].SequenceEqual(fields.Order(StringComparer.Ordinal)), $"step {kind}: schema has {string.Join(", ", schema[kind])}; ScenarioFile.StepFields has {string.Join(", ", fields.Order(StringComparer.Ordinal))}");
        }
    }

    [Theory]
    [InlineData("", typeof(ScenarioDocument))]
    [InlineData("board", typeof(ScenarioBoardDocument))]
    [InlineData("key", typeof(ScenarioKeyDocument))]
    [InlineData("release", typeof(ScenarioReleaseDocument))]
    [InlineData("sources", typeof(ScenarioSourcesDocument))]
    [InlineData("sources.tftp", typeof(ScenarioTftpDocument))]
    [InlineData("sources.usb", typeof(ScenarioUsbDocument))]
    public void EachObjectHasTheFieldsTheParserReads(string where, Type document)
    {
        JsonElement schema = ObjectSchema(where);
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        string[] fields = PropertyNames(schema);
        string[] parser = ParserOptions.GetTypeInfo(document).Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(parser, fields);

        string[] required = schema.TryGetProperty("required", out JsonElement r) ? r.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray() : [];
        string[] parserRequired = ParserOptions.GetTypeInfo(document).Properties.Where(p => p.IsRequired).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(parserRequired, required);
    }

    [Fact]
    public void ADocumentWithEveryFieldParsesAndFollowsTheSchema()
    {
        const string Full = """
            {"$schema": "./scenario.schema.json", "name": "full", "description": "d", "reproduces": "r",
             "board": {"profile": "ab", "board_id": "b1", "misc_kib": 1024, "boot_kib": 256, "system_kib": 3072, "vendor_kib": 256, "userdata_kib": 64,
                       "max_tries": 3, "max_boots_before_recovery": 8, "health_check_seconds": 5},
             "keys": [{"name": "k1", "trusted": true}, {"name": "k2", "trusted": false}],
             "releases": [{"name": "r1", "version": "1.0", "rollback_index": 1, "key": "k1", "board_id": "b1", "boot_kib": 100, "system_kib": 2560, "vendor_kib": 100, "compression": "zstd", "seed": 7},
                          {"name": "r2", "version": "2.0", "rollback_index": 2}],
             "flash": "r1",
             "sources": {"order": ["usb", "tftp"], "tftp": {"release": "r2", "state": "up", "loss_percent": 1, "duplicate_percent": 2, "reorder_percent": 3, "attempts": 4},
                         "usb": {"release": "r1", "state": "present"}},
             "steps": [
               {"step": "update", "release": "r2", "package": "delta"},
               {"step": "ota", "release": "r2", "package": "delta", "interrupt_after_bytes": 4096},
               {"step": "request-recovery", "source": "usb"},
               {"step": "corrupt", "partition": "system_a", "what": "payload", "offset": 4096, "length": 512, "count": 1, "copies": "both"},
               {"step": "corrupt", "partition": "misc", "what": "boot-control", "copies": "primary"},
               {"step": "flash-partition", "partition": "vendor_b", "release": "r2"},
               {"step": "bad-sector", "partition": "boot_a", "offset": 8192},
               {"step": "os-health", "health": "crash-after=30"},
               {"step": "power-cut", "write": 3, "generated": false, "torn": true, "cache_loss": true},
               {"step": "power-on", "max_boots": 5},
               {"step": "power-cut", "generated": true},
               {"step": "power-on"},
               {"step": "tftp", "state": "down", "release": "r1", "loss_percent": 10, "duplicate_percent": 5, "reorder_percent": 5},
               {"step": "usb", "state": "present", "release": "r2"},
               {"step": "wait", "seconds": 60},
               {"step": "expect", "outcome": "booted", "slot": "a", "release": "r1", "userdata_intact": true, "events": ["kernel-started"], "events_absent": ["recovery-started"], "boots": 1, "max_boots_taken": 2}
             ]}
            """;
        AssertVerdicts("every field", Full, valid: true);

        // And it does use every field the schema names, so the schema has no field the parser refuses.
        JsonNode full = JsonNode.Parse(Full)!;
        foreach (string where in new[] { "", "board", "sources", "sources.tftp", "sources.usb" })
        {
            JsonObject node = where.Split('.', StringSplitOptions.RemoveEmptyEntries).Aggregate(full, (n, part) => n[part]!).AsObject();
            Assert.Equal(PropertyNames(ObjectSchema(where)), node.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        }

        Assert.Equal(PropertyNames(ObjectSchema("key")), full["keys"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(PropertyNames(ObjectSchema("release")), full["releases"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        foreach ((string kind, string[] fields) in ScenarioFile.StepFields)
        {
            var used = full["steps"]!.AsArray().Where(s => (string)s!["step"]! == kind).SelectMany(s => s!.AsObject().Select(p => p.Key)).Where(k => k != "step").ToHashSet();
            Assert.True(used.SetEquals(fields), $"the full document's {kind} steps use {string.Join(", ", used)}");
        }
    }

    [Fact]
    public void AFieldOfAnotherKindIsRefusedByBoth()
    {
        // Every field the step document has, put on every kind that does not take it: both refuse it,
        // the parser naming the field's path. (The step document's fields beyond every kind's, such as
        // "reason", are refused on every kind.)
        foreach (JsonPropertyInfo property in ParserOptions.GetTypeInfo(typeof(ScenarioStepDocument)).Properties.Where(p => p.Name != "step"))
        {
            JsonNode value = SampleValue(property.PropertyType);
            foreach ((string kind, string[] fields) in ScenarioFile.StepFields)
            {
                if (fields.Contains(property.Name))
                {
                    continue;
                }

                JsonObject step = MinimalStep(kind);
                step[property.Name] = value.DeepClone();
                string json = WithSteps(step, new JsonObject { ["step"] = "power-on" });
                Assert.False(SchemaAccepts(json), $"the schema accepts {property.Name} on a {kind} step");
                JsonInputException e = Assert.Throws<JsonInputException>(() => Parse(json));
                Assert.Equal($"$.steps[0].{property.Name}", e.Path);
            }
        }
    }

    public static TheoryData<string, string, bool> Verdicts()
    {
        var data = new TheoryData<string, string, bool>();
        void Doc(string name, bool valid, Action<JsonObject> edit)
        {
            JsonObject doc = JsonNode.Parse(Minimal)!.AsObject();
            edit(doc);
            data.Add(name, doc.ToJsonString(), valid);
        }

        void Step(string name, bool valid, string step, string? board = null) => Doc(name, valid, d =>
        {
            if (board is not null)
            {
                d["board"] = JsonNode.Parse(board);
            }

            d["steps"] = new JsonArray(JsonNode.Parse(step), new JsonObject { ["step"] = "power-on" });
        });

        JsonObject Release(JsonObject d) => d["releases"]![0]!.AsObject();

        Doc("the minimal document", true, _ => { });
        Doc("an unknown top-level field", false, d => d["bogus"] = 1);
        Doc("no name", false, d => d.Remove("name"));
        Doc("a name of 64 characters", true, d => d["name"] = new string('a', 64));
        Doc("a name of 65 characters", false, d => d["name"] = new string('a', 65));
        Doc("a name with capitals", false, d => d["name"] = "Bad");
        Doc("no flash", false, d => d.Remove("flash"));
        Doc("a wrong type", false, d => d["name"] = 5);
        Doc("an unknown board profile", false, d => d["board"] = JsonNode.Parse("""{"profile": "abc"}"""));
        Doc("an unknown board field", false, d => d["board"] = JsonNode.Parse("""{"sizes": 1}"""));
        Doc("misc_kib 60, below 64", false, d => d["board"] = JsonNode.Parse("""{"misc_kib": 60}"""));
        Doc("misc_kib 1020, below 1024", false, d => d["board"] = JsonNode.Parse("""{"misc_kib": 1020}"""));
        Doc("misc_kib 1024", true, d => d["board"] = JsonNode.Parse("""{"misc_kib": 1024}"""));
        Doc("boot_kib 66, not a multiple of 4", false, d => d["board"] = JsonNode.Parse("""{"boot_kib": 66}"""));
        Doc("vendor_kib 262144, the largest", true, d => d["board"] = JsonNode.Parse("""{"vendor_kib": 262144}"""));
        Doc("vendor_kib 262148, over the largest", false, d => d["board"] = JsonNode.Parse("""{"vendor_kib": 262148}"""));
        Doc("max_tries 0", false, d => d["board"] = JsonNode.Parse("""{"max_tries": 0}"""));
        Doc("max_tries 7", true, d => d["board"] = JsonNode.Parse("""{"max_tries": 7}"""));
        Doc("max_tries 8", false, d => d["board"] = JsonNode.Parse("""{"max_tries": 8}"""));
        Doc("max_boots_before_recovery 1001", false, d => d["board"] = JsonNode.Parse("""{"max_boots_before_recovery": 1001}"""));
        Doc("health_check_seconds 86400", true, d => d["board"] = JsonNode.Parse("""{"health_check_seconds": 86400}"""));
        Doc("health_check_seconds -1", false, d => d["board"] = JsonNode.Parse("""{"health_check_seconds": -1}"""));
        Doc("no keys in the list", false, d => d["keys"] = new JsonArray());
        Doc("17 keys", false, d => d["keys"] = new JsonArray(Enumerable.Range(0, 17).Select(i => (JsonNode)new JsonObject { ["name"] = $"k{i}" }).ToArray()));
        Doc("a key with an unknown field", false, d => d["keys"] = JsonNode.Parse("""[{"name": "k", "pem": "x"}]"""));
        Doc("no releases in the list", false, d => d["releases"] = new JsonArray());
        Doc("a release without a version", false, d => Release(d).Remove("version"));
        Doc("a version with a space", false, d => Release(d)["version"] = "1 0");
        Doc("a version of 63 characters", true, d => Release(d)["version"] = new string('v', 63));
        Doc("a version of 64 characters", false, d => Release(d)["version"] = new string('v', 64));
        Doc("rollback_index -1", false, d => Release(d)["rollback_index"] = -1);
        Doc("rollback_index 2^63-1", true, d => Release(d)["rollback_index"] = long.MaxValue);
        Doc("compression gzip", false, d => Release(d)["compression"] = "gzip");
        Doc("seed -1", false, d => Release(d)["seed"] = -1);
        Doc("system_kib 0", false, d => Release(d)["system_kib"] = 0);
        Doc("a release with an unknown field", false, d => Release(d)["size"] = 1);
        Doc("a source twice in the order", false, d => d["sources"] = JsonNode.Parse("""{"order": ["tftp", "tftp"]}"""));
        Doc("an unknown source", false, d => d["sources"] = JsonNode.Parse("""{"order": ["ftp"]}"""));
        Doc("an empty source order", true, d => d["sources"] = JsonNode.Parse("""{"order": []}"""));
        Doc("loss_percent 50", true, d => d["sources"] = JsonNode.Parse("""{"tftp": {"release": "r1", "state": "up", "loss_percent": 50}}"""));
        Doc("loss_percent 51", false, d => d["sources"] = JsonNode.Parse("""{"tftp": {"release": "r1", "state": "up", "loss_percent": 51}}"""));
        Doc("attempts 0", false, d => d["sources"] = JsonNode.Parse("""{"tftp": {"attempts": 0}}"""));
        Doc("attempts 10", true, d => d["sources"] = JsonNode.Parse("""{"tftp": {"attempts": 10}}"""));
        Doc("a TFTP state lossy", false, d => d["sources"] = JsonNode.Parse("""{"tftp": {"state": "lossy"}}"""));
        Doc("a USB state stale", false, d => d["sources"] = JsonNode.Parse("""{"usb": {"state": "stale"}}"""));
        Doc("no steps", false, d => d["steps"] = new JsonArray());
        Doc("513 steps", false, d => d["steps"] = new JsonArray(Enumerable.Range(0, 513).Select(_ => (JsonNode)new JsonObject { ["step"] = "power-on" }).ToArray()));
        Doc("512 steps", true, d => d["steps"] = new JsonArray(Enumerable.Range(0, 512).Select(_ => (JsonNode)new JsonObject { ["step"] = "power-on" }).ToArray()));
        Step("an unknown step kind", false, """{"step": "reboot"}""");
        Step("a step without a kind", false, """{"release": "r2"}""");
        Step("an update without a release", false, """{"step": "update"}""");
        Step("an update with a package kind that is not one", false, """{"step": "update", "release": "r2", "package": "patch"}""");
        Step("an ota check", true, """{"step": "ota", "release": "r2", "interrupt_after_bytes": 1}""");
        Step("an ota check without a release", false, """{"step": "ota"}""");
        Step("an ota check interrupted after no bytes", false, """{"step": "ota", "release": "r2", "interrupt_after_bytes": 0}""");
        Step("an update on a single board", false, """{"step": "update", "release": "r2"}""", """{"profile": "single"}""");
        Step("request-recovery from ftp", false, """{"step": "request-recovery", "source": "ftp"}""");
        Step("boot-control damage outside misc", false, """{"step": "corrupt", "partition": "boot_a", "what": "boot-control"}""");
        Step("header damage in misc", false, """{"step": "corrupt", "partition": "misc", "what": "header"}""");
        Step("erasing userdata", false, """{"step": "corrupt", "partition": "userdata", "what": "erase"}""");
        Step("boot-control copies neither", false, """{"step": "corrupt", "partition": "misc", "what": "boot-control", "copies": "neither"}""");
        Step("copies on header damage (ignored)", true, """{"step": "corrupt", "partition": "boot_a", "what": "header", "copies": "neither"}""");
        Step("an unknown corruption", false, """{"step": "corrupt", "partition": "boot_a", "what": "shred"}""");
        Step("bit flips 0", false, """{"step": "corrupt", "partition": "boot_a", "what": "bit-flips", "count": 0}""");
        Step("bit flips 2^20", true, """{"step": "corrupt", "partition": "boot_a", "what": "bit-flips", "count": 1048576}""");
        Step("bit flips 2^20+1", false, """{"step": "corrupt", "partition": "boot_a", "what": "bit-flips", "count": 1048577}""");
        Step("payload length 0", false, """{"step": "corrupt", "partition": "boot_a", "what": "payload", "length": 0}""");
        Step("an A/B partition on a single board", false, """{"step": "corrupt", "partition": "system_a", "what": "erase"}""", """{"profile": "single"}""");
        Step("a single-board partition on an A/B board", false, """{"step": "corrupt", "partition": "system", "what": "erase"}""");
        Step("a single-board partition on a single board", true, """{"step": "corrupt", "partition": "system", "what": "erase"}""", """{"profile": "single"}""");
        Step("flash-partition misc", false, """{"step": "flash-partition", "partition": "misc", "release": "r2"}""");
        Step("a bad sector in userdata", false, """{"step": "bad-sector", "partition": "userdata"}""");
        Step("a bad sector at -1", false, """{"step": "bad-sector", "partition": "boot_a", "offset": -1}""");
        Step("crash-after=86400", true, """{"step": "os-health", "health": "crash-after=86400"}""");
        Step("crash-after=086400", true, """{"step": "os-health", "health": "crash-after=086400"}""");
        Step("crash-after=86401", false, """{"step": "os-health", "health": "crash-after=86401"}""");
        Step("crash-after=-1", false, """{"step": "os-health", "health": "crash-after=-1"}""");
        Step("health sick", false, """{"step": "os-health", "health": "sick"}""");
        Step("os-health without health", false, """{"step": "os-health"}""");
        Step("a power-cut at write 0", true, """{"step": "power-cut", "write": 0}""");
        Step("a power-cut at write -1", false, """{"step": "power-cut", "write": -1}""");
        Step("a generated power-cut", true, """{"step": "power-cut", "generated": true, "torn": true}""");
        Step("a power-cut with write and generated", false, """{"step": "power-cut", "write": 1, "generated": true}""");
        Step("a power-cut with write and generated false", true, """{"step": "power-cut", "write": 1, "generated": false}""");
        Step("a power-cut with neither", false, """{"step": "power-cut", "cache_loss": true}""");
        Step("a power-cut generated false alone", false, """{"step": "power-cut", "generated": false}""");
        Step("power-on max_boots 0", false, """{"step": "power-on", "max_boots": 0}""");
        Step("power-on max_boots 1000", true, """{"step": "power-on", "max_boots": 1000}""");
        Step("power-on max_boots 1001", false, """{"step": "power-on", "max_boots": 1001}""");
        Step("a tftp step with attempts", false, """{"step": "tftp", "attempts": 3}""");
        Step("a tftp step reorder 51", false, """{"step": "tftp", "reorder_percent": 51}""");
        Step("a tftp step up", true, """{"step": "tftp", "state": "up", "release": "r2"}""");
        Step("a usb step stale", false, """{"step": "usb", "state": "stale"}""");
        Step("a usb step absent", true, """{"step": "usb", "state": "absent"}""");
        Step("wait without seconds", false, """{"step": "wait"}""");
        Step("wait a year", true, """{"step": "wait", "seconds": 31536000}""");
        Step("wait a year and a second", false, """{"step": "wait", "seconds": 31536001}""");
        Step("expect outcome fine", false, """{"step": "expect", "outcome": "fine"}""");
        Step("expect slot c", false, """{"step": "expect", "slot": "c"}""");
        Step("expect slot b on a single board", false, """{"step": "expect", "slot": "b"}""", """{"profile": "single"}""");
        Step("expect slot a on a single board", true, """{"step": "expect", "slot": "a"}""", """{"profile": "single"}""");
        Step("expect an event kind in capitals", false, """{"step": "expect", "events": ["Kernel"]}""");
        Step("expect 65 event kinds", false, $$"""{"step": "expect", "events_absent": [{{string.Join(", ", Enumerable.Range(0, 65).Select(i => $"\"e{i}\""))}}]}""");
        Step("expect boots 1001", false, """{"step": "expect", "boots": 1001}""");
        Step("expect max_boots_taken 0", true, """{"step": "expect", "max_boots_taken": 0}""");
        Step("expect userdata_intact as a string", false, """{"step": "expect", "userdata_intact": "yes"}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void TheSchemaAndTheParserGiveTheSameVerdict(string name, string json, bool valid) => AssertVerdicts(name, json, valid);

    [Theory]
    [InlineData("a reference to a release that is not defined", """{"step": "update", "release": "r9"}""")]
    [InlineData("a power-cut with nothing after it", """{"step": "power-cut", "write": 1}""")]
    [InlineData("a payload offset past the partition", """{"step": "corrupt", "partition": "boot_a", "what": "payload", "offset": 262144}""")]
    public void ChecksOnlyTheParserMakesAreTheOnesTheDocsList(string name, string step)
    {
        // docs/SCENARIOS.md "What only the parser checks": cross references and sizes against the board.
        string json = WithSteps(JsonNode.Parse(step)!.AsObject());
        Assert.True(SchemaAccepts(json), $"{name}: the schema refuses it; update docs/SCENARIOS.md");
        Assert.Throws<JsonInputException>(() => Parse(json));
    }

    [Theory]
    [InlineData("""{"name": "s", "releases": [{"name": "r1", "version": "1", "rollback_index": 1}, {"name": "r1", "version": "2", "rollback_index": 2}], "flash": "r1", "steps": [{"step": "power-on"}]}""")]
    [InlineData("""{"name": "s", "keys": [{"name": "k", "trusted": false}], "releases": [{"name": "r1", "version": "1", "rollback_index": 1}], "flash": "r1", "steps": [{"step": "power-on"}]}""")]
    [InlineData("""{"name": "s", "board": {"boot_kib": 64}, "releases": [{"name": "r1", "version": "1", "rollback_index": 1, "boot_kib": 61}], "flash": "r1", "steps": [{"step": "power-on"}]}""")]
    public void DocumentLevelChecksOnlyTheParserMakes(string json)
    {
        Assert.True(SchemaAccepts(json));
        Assert.Throws<JsonInputException>(() => Parse(json));
    }

    [Fact]
    public void TheSchemasDefaultsAreTheOnesTheParserApplies()
    {
        Scenario s = Parse(WithSteps(
            JsonNode.Parse("""{"step": "request-recovery"}""")!.AsObject(),
            JsonNode.Parse("""{"step": "corrupt", "partition": "system_a", "what": "bit-flips"}""")!.AsObject(),
            JsonNode.Parse("""{"step": "corrupt", "partition": "misc", "what": "boot-control"}""")!.AsObject(),
            JsonNode.Parse("""{"step": "bad-sector", "partition": "boot_a"}""")!.AsObject(),
            JsonNode.Parse("""{"step": "power-cut", "write": 2}""")!.AsObject(),
            JsonNode.Parse("""{"step": "power-on"}""")!.AsObject()));
        JsonElement board = Def("board").GetProperty("properties");
        string Default(JsonElement properties, string field) => properties.GetProperty(field).GetProperty("default").ToString();
        Assert.Equal(Default(board, "profile"), BoardLayout.ProfileName(s.Board.Profile));
        Assert.Equal(Default(board, "board_id"), s.Board.BoardId);
        Assert.Equal(Default(board, "misc_kib"), (s.Board.Sizes.Misc / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "boot_kib"), (s.Board.Sizes.Boot / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "system_kib"), (s.Board.Sizes.System / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "vendor_kib"), (s.Board.Sizes.Vendor / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "userdata_kib"), (s.Board.Sizes.Userdata / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "max_tries"), s.Board.Limits.MaxTries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "max_boots_before_recovery"), s.Board.Limits.MaxBootsBeforeRecovery.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(board, "health_check_seconds"), s.Board.Limits.HealthCheckSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Def("key").GetProperty("properties").GetProperty("trusted").GetProperty("default").GetBoolean(), Assert.Single(s.Keys).Trusted);

        JsonElement release = Def("release").GetProperty("properties");
        ScenarioRelease r1 = s.Releases[0];
        Assert.Equal(Default(release, "boot_kib"), (r1.BootBytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(release, "system_kib"), (r1.SystemBytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(release, "vendor_kib"), (r1.VendorBytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(release, "compression"), r1.Zstd ? "zstd" : "none");
        Assert.Equal([1, 2], s.Releases.Select(r => r.Seed)); // "its 1-based position"

        JsonElement sources = Def("sources").GetProperty("properties");
        Assert.Equal(sources.GetProperty("order").GetProperty("default").EnumerateArray().Select(e => e.GetString()), s.SourceOrder.Select(o => o.ToString().ToLowerInvariant()));
        JsonElement tftp = sources.GetProperty("tftp").GetProperty("properties");
        Assert.Equal(Default(tftp, "state"), s.Tftp.Up ? "up" : "down");
        Assert.Equal(Default(tftp, "loss_percent"), s.Tftp.LossPercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(tftp, "duplicate_percent"), s.Tftp.DuplicatePercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(tftp, "reorder_percent"), s.Tftp.ReorderPercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(tftp, "attempts"), s.Tftp.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(s.Tftp.Release);
        Assert.False(s.Usb.Present);

        var request = (RequestRecoveryStep)s.Steps[0];
        Assert.Equal(Default(Def("step-request-recovery").GetProperty("properties"), "source"), request.Source.ToString().ToLowerInvariant());
        var flips = (CorruptStep)s.Steps[1];
        JsonElement corrupt = Def("step-corrupt").GetProperty("properties");
        Assert.Equal(Default(corrupt, "offset"), flips.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Default(corrupt, "count"), flips.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4096, flips.Length);
        var control = (CorruptStep)s.Steps[2];
        Assert.Equal(Default(Def("step-corrupt").GetProperty("then").GetProperty("properties"), "copies"), control.Copies.ToString().ToLowerInvariant());
        Assert.Equal(Default(Def("step-bad-sector").GetProperty("properties"), "offset"), ((BadSectorStep)s.Steps[3]).Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cut = (PowerCutStep)s.Steps[4];
        JsonElement powerCut = Def("step-power-cut").GetProperty("properties");
        Assert.Equal(powerCut.GetProperty("torn").GetProperty("default").GetBoolean(), cut.Torn);
        Assert.Equal(powerCut.GetProperty("cache_loss").GetProperty("default").GetBoolean(), cut.CacheLoss);
        Assert.Equal(Default(Def("step-power-on").GetProperty("properties"), "max_boots"), ((PowerOnStep)s.Steps[5]).MaxBoots.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AssertVerdicts(string name, string json, bool valid)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        EvaluationResults results = Evaluate(document.RootElement);
        Assert.True(results.IsValid == valid, $"{name}: the schema {(results.IsValid ? "accepts it" : "refuses it: " + Errors(results))}");
        string? parserError = null;
        try
        {
            Parse(json);
        }
        catch (JsonInputException e)
        {
            parserError = e.Message;
        }

        Assert.True(parserError is null == valid, $"{name}: ScenarioFile {(parserError is null ? "accepts it" : "refuses it: " + parserError)}");
    }

    private static Scenario Parse(string json) => ScenarioFile.Parse(Encoding.UTF8.GetBytes(json), "s.json");

    private static bool SchemaAccepts(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return Evaluate(document.RootElement).IsValid;
    }

    private static EvaluationResults Evaluate(JsonElement instance) => Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Errors(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Append(results).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(8));

    /// <summary>The minimal document with <paramref name="steps"/> as its steps.</summary>
    private static string WithSteps(params JsonObject[] steps)
    {
        JsonObject doc = JsonNode.Parse(Minimal)!.AsObject();
        doc["steps"] = new JsonArray(steps.Select(s => (JsonNode)s).ToArray());
        return doc.ToJsonString();
    }

    /// <summary>A valid step of <paramref name="kind"/> in the minimal document, with its required fields only.</summary>
    private static JsonObject MinimalStep(string kind) => JsonNode.Parse(kind switch
    {
        "update" => """{"step": "update", "release": "r2"}""",
        "corrupt" => """{"step": "corrupt", "partition": "boot_a", "what": "header"}""",
        "flash-partition" => """{"step": "flash-partition", "partition": "boot_a", "release": "r2"}""",
        "bad-sector" => """{"step": "bad-sector", "partition": "boot_a"}""",
        "os-health" => """{"step": "os-health", "health": "healthy"}""",
        "power-cut" => """{"step": "power-cut", "write": 1}""",
        "wait" => """{"step": "wait", "seconds": 1}""",
        _ => $$"""{"step": "{{kind}}"}""",
    })!.AsObject();

    /// <summary>A value of the JSON type the parser's walk expects for <paramref name="type"/>.</summary>
    private static JsonNode SampleValue(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) ? JsonValue.Create("r1")
            : t == typeof(bool) ? JsonValue.Create(true)
            : t == typeof(int) || t == typeof(long) ? JsonValue.Create(1)
            : t == typeof(List<string>) ? new JsonArray("kernel-started")
            : throw new ArgumentException($"no sample for {type}", nameof(type));
    }

    private static JsonElement Def(string name) => Root.GetProperty("$defs").GetProperty(name);

    /// <summary>The object schema at <paramref name="where"/>: "" for the top level, a $defs name, or sources.tftp / sources.usb.</summary>
    private static JsonElement ObjectSchema(string where) => where switch
    {
        "" => Root,
        "sources.tftp" => Def("sources").GetProperty("properties").GetProperty("tftp"),
        "sources.usb" => Def("sources").GetProperty("properties").GetProperty("usb"),
        _ => Def(where),
    };

    private static string[] PropertyNames(JsonElement schema) =>
        schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Each step kind of the schema's oneOf (its "step" const) and its other fields, sorted.</summary>
    private static Dictionary<string, string[]> SchemaStepFields()
    {
        var kinds = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (JsonElement alternative in Def("step").GetProperty("oneOf").EnumerateArray())
        {
            string reference = alternative.GetProperty("$ref").GetString()!;
            Assert.StartsWith("#/$defs/", reference, StringComparison.Ordinal);
            JsonElement kind = Def(reference["#/$defs/".Length..]);
            Assert.False(kind.GetProperty("additionalProperties").GetBoolean(), reference);
            string name = kind.GetProperty("properties").GetProperty("step").GetProperty("const").GetString()!;
            Assert.True(kinds.TryAdd(name, PropertyNames(kind).Where(p => p != "step").ToArray()), $"step kind {name} twice");
        }

        return kinds;
    }

    /// <summary>scenarios/, found from the test binaries upwards.</summary>
    private static string ScenariosDirectory()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "scenarios");
            if (File.Exists(Path.Combine(candidate, "scenario.schema.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"scenarios/scenario.schema.json not found above {AppContext.BaseDirectory}");
    }
}
