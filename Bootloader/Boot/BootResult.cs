using System.Text.Json;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;

namespace RecoverySim.Bootloader.Boot;

/// <summary>The end of one power-on: the outcome, what booted, and every event of the boot log.</summary>
/// <param name="Outcome">How the power-on ended.</param>
/// <param name="Events">The boot log.</param>
public sealed record BootResult(BootOutcome Outcome, IReadOnlyList<BootEvent> Events)
{
    /// <summary>The slot that booted (<c>a</c>, <c>b</c>), or null.</summary>
    public string? Slot { get; init; }

    /// <summary>The release id that booted, or null.</summary>
    public string? Release { get; init; }

    /// <summary>The version that booted, or null.</summary>
    public string? Version { get; init; }

    /// <summary>Why recovery is required, or <see cref="RecoveryReason.None"/>.</summary>
    public RecoveryReason RecoveryReason { get; init; }

    /// <summary>How the OS run ended, when a kernel started.</summary>
    public OsOutcome? Os { get; init; }

    /// <summary>Whether the OS marked the slot successful during this power-on.</summary>
    public bool MarkedSuccessful { get; init; }

    /// <summary>
    /// Writes the result as one JSON object: <c>outcome</c>, <c>slot</c>, <c>release</c>,
    /// <c>version</c>, <c>recovery_reason</c>, <c>os</c>, <c>marked_successful</c>, <c>events</c>.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteFields(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the fields of <see cref="WriteJson"/> into an object the caller opened (a larger result that embeds this one).</summary>
    public void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("outcome", BootOutcomeNames.Name(Outcome));
        writer.WriteString("slot", Slot);
        writer.WriteString("release", Release);
        writer.WriteString("version", Version);
        writer.WriteString("recovery_reason", RecoveryReason == RecoveryReason.None ? null : BootOutcomeNames.Kebab(RecoveryReason));
        writer.WriteString("os", Os is null ? null : BootOutcomeNames.Kebab(Os.Value));
        writer.WriteBoolean("marked_successful", MarkedSuccessful);
        writer.WriteStartArray("events");
        foreach (BootEvent e in Events)
        {
            e.WriteJson(writer);
        }

        writer.WriteEndArray();
    }
}
