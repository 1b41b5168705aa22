using System.Text.Json;
using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Lab.Scenarios;

/// <summary>One event of a scenario's timeline and the step it happened in (<c>$.steps[3]</c>, or <c>after-cut</c> after a cut).</summary>
public sealed record TimelineEntry(string Step, BootEvent Event)
{
    /// <summary>Writes <paramref name="timeline"/> as the array <paramref name="name"/>: <c>{"step": ..., "event": {...}}</c> per entry.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<TimelineEntry> timeline)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(timeline);
        writer.WriteStartArray(name);
        foreach (TimelineEntry entry in timeline)
        {
            writer.WriteStartObject();
            writer.WriteString("step", entry.Step);
            writer.WritePropertyName("event");
            entry.Event.WriteJson(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
