using System.Text.Json;

namespace RecoverySim.Lab.Scenarios;

/// <summary>What a scenario run did: its timeline and every expectation checked.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Timeline">Every event, in order.</param>
/// <param name="Checks">Every expectation checked, in order.</param>
/// <param name="Last">How the last power-on ended, or null when none ran.</param>
public sealed record ScenarioResult(string Scenario, long Seed, IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<ExpectationCheck> Checks, SettleResult? Last)
{
    /// <summary>True when every expectation held (and there was at least one).</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Held);

    /// <summary>Writes the result as one JSON object (docs/SCENARIOS.md "Output"): scenario, seed, passed, checks, last power-on, timeline.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("scenario", Scenario);
        writer.WriteNumber("seed", Seed);
        writer.WriteBoolean("passed", Passed);
        writer.WriteStartArray("checks");
        foreach (ExpectationCheck check in Checks)
        {
            writer.WriteStartObject();
            writer.WriteString("step", check.Step);
            writer.WriteString("field", check.Field);
            writer.WriteString("expected", check.Expected);
            writer.WriteString("found", check.Found);
            writer.WriteBoolean("held", check.Held);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (Last is null)
        {
            writer.WriteNull("last_power_on");
        }
        else
        {
            writer.WriteStartObject("last_power_on");
            writer.WriteString("outcome", Last.Outcome);
            writer.WriteNumber("boots", Last.Boots);
            writer.WriteString("slot", Last.Slot);
            writer.WriteString("release", Last.ReleaseId);
            writer.WriteEndObject();
        }

        TimelineEntry.WriteArray(writer, "timeline", Timeline);
        writer.WriteEndObject();
    }
}

/// <summary>One expectation of an <c>expect</c> step: what was expected, what was found.</summary>
/// <param name="Step">The step's JSON path.</param>
/// <param name="Field">The expectation's field (<c>outcome</c>, <c>events</c>, ...).</param>
/// <param name="Expected">What it asks for.</param>
/// <param name="Found">What the run shows.</param>
/// <param name="Held">Whether it held.</param>
public sealed record ExpectationCheck(string Step, string Field, string Expected, string Found, bool Held);
