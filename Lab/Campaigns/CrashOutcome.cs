using System.Text.Json;

namespace RecoverySim.Lab.Campaigns;

/// <summary>What one crash state came to.</summary>
/// <param name="Order">Its place in the campaign (first-level index × 1000 + second-level index), which orders reports and the digest.</param>
/// <param name="Id">Its crash id.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Class">How the board came back.</param>
/// <param name="Slot">The slot running at the end, or null.</param>
/// <param name="Release">The release (scenario name) running at the end, or null.</param>
/// <param name="Boots">Power-ons taken to settle.</param>
/// <param name="Failure">Why this is a failure, or null when it is not one.</param>
public sealed record CrashOutcome(long Order, string Id, CrashKind Kind, OutcomeClass Class, string? Slot, string? Release, int Boots, string? Failure)
{
    /// <summary>True when an invariant did not hold.</summary>
    public bool Failed => Failure is not null;

    /// <summary>Writes the outcome as one JSON object (docs/SCENARIOS.md "Reports").</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteFields(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the outcome's fields into the current JSON object: order, id, kind, class, slot, release, boots, failure.</summary>
    public void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("order", Order);
        writer.WriteString("id", Id);
        writer.WriteString("kind", CampaignReport.Name(Kind));
        writer.WriteString("class", CampaignReport.Name(Class));
        writer.WriteString("slot", Slot);
        writer.WriteString("release", Release);
        writer.WriteNumber("boots", Boots);
        writer.WriteString("failure", Failure);
    }
}
