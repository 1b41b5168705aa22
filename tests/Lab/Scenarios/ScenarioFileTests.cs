using CsCheck;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Scenarios;
using RecoverySim.Testing;

namespace RecoverySim.Lab.Tests.Scenarios;

/// <summary>Scenario files are read strictly: every error names its JSON path; no input crashes the parser.</summary>
public sealed class ScenarioFileTests
{
    private const string Valid = """
        {"name": "ok", "releases": [{"name": "r1", "version": "1.0", "rollback_index": 1}, {"name": "r2", "version": "2.0", "rollback_index": 2}],
         "flash": "r1", "sources": {"tftp": {"release": "r2", "state": "up"}},
         "steps": [{"step": "update", "release": "r2"}, {"step": "power-cut", "write": 3, "torn": true}, {"step": "power-on", "max_boots": 4},
                   {"step": "corrupt", "partition": "system_a", "what": "bit-flips", "count": 3}, {"step": "expect", "outcome": "booted", "events": ["kernel-started"]}]}
        """;

    private static JsonInputException Refused(string json) => Assert.Throws<JsonInputException>(() => ScenarioFile.Parse(System.Text.Encoding.UTF8.GetBytes(json), "s.json"));

    [Fact]
    public void AValidFileParsesIntoTypedSteps()
    {
        Scenario s = ScenarioFile.Parse(System.Text.Encoding.UTF8.GetBytes(Valid), "s.json");
        Assert.Equal(["update", "power-cut", "power-on", "corrupt", "expect"], s.Steps.Select(x => x.Kind));
        Assert.Equal(new PowerCutStep("$.steps[1]", 3, true, false), s.Steps[1]);
        Assert.Equal(4, ((PowerOnStep)s.Steps[2]).MaxBoots);
        Assert.Equal(CorruptionKind.BitFlips, ((CorruptStep)s.Steps[3]).What);
        Assert.Equal("r2", s.Tftp.Release);
    }

    [Theory]
    [InlineData("\"bogus\": 1,", "$.bogus")]
    [InlineData("\"board\": {\"profile\": \"abc\"},", "$.board.profile")]
    [InlineData("\"board\": {\"boot_kib\": 99999999},", "$.board.boot_kib")]
    [InlineData("\"keys\": [{\"name\": \"k\", \"trusted\": false}],", "$.keys")]
    public void TopLevelErrorsNameTheirPath(string extra, string path)
    {
        JsonInputException e = Refused("{" + extra + Valid.TrimStart()[1..]);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("{\"step\": \"reboot\"}", "$.steps[0].step")]
    [InlineData("{\"step\": \"power-on\", \"partition\": \"boot_a\"}", "$.steps[0].partition")]
    [InlineData("{\"step\": \"update\", \"release\": \"r9\"}", "$.steps[0].release")]
    [InlineData("{\"step\": \"corrupt\", \"partition\": \"boot_c\", \"what\": \"header\"}", "$.steps[0].partition")]
    [InlineData("{\"step\": \"corrupt\", \"partition\": \"userdata\", \"what\": \"erase\"}", "$.steps[0].partition")]
    [InlineData("{\"step\": \"os-health\", \"health\": \"sleepy\"}", "$.steps[0].health")]
    [InlineData("{\"step\": \"power-cut\", \"write\": 1, \"generated\": true}", "$.steps[0]")]
    [InlineData("{\"step\": \"tftp\", \"loss_percent\": 90}", "$.steps[0].loss_percent")]
    [InlineData("{\"step\": \"expect\", \"outcome\": \"fine\"}", "$.steps[0].outcome")]
    [InlineData("{\"step\": \"power-cut\", \"write\": 1}", "$.steps[0]")]
    public void StepErrorsNameTheirPath(string step, string path)
    {
        JsonInputException e = Refused($$"""{"name": "x", "releases": [{"name": "r1", "version": "1", "rollback_index": 1}], "flash": "r1", "steps": [{{step}}]}""");
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void EveryStepKindTakesOnlyItsOwnFields()
    {
        // Each kind with one field of some other kind is refused at that field.
        foreach ((string kind, string[] fields) in ScenarioFile.StepFields)
        {
            string foreign = ScenarioFile.StepFields.Values.SelectMany(f => f).First(f => !fields.Contains(f));
            JsonInputException e = Refused($$"""{"name": "x", "releases": [{"name": "r1", "version": "1", "rollback_index": 1}], "flash": "r1", "steps": [{"step": "{{kind}}", "{{foreign}}": 1}]}""");
            Assert.StartsWith("$.steps[0]", e.Path);
        }
    }

    [Fact]
    public void MutatedFilesAreRefusedWithOneLineOrParse() =>
        Fuzz.Check(41, Fuzz.Mutated(System.Text.Encoding.UTF8.GetBytes(Valid)), bytes => ScenarioFile.Parse(bytes, "s.json"), typeof(JsonInputException));

    [Fact]
    public void EveryShippedScenarioParses()
    {
        foreach (string name in ScenarioFiles.Names())
        {
            Scenario s = ScenarioFile.Load(ScenarioFiles.PathOf(name));
            Assert.Equal(name, s.Name);
            Assert.NotEmpty(s.Description);
            Assert.NotEmpty(s.Reproduces);
        }
    }
}
