using System.Text.Json;
using RecoverySim.Bootloader.Boot;

namespace RecoverySim.Recovery;

/// <summary>How a whole power-on ended (<c>recoverysim boot --json</c>).</summary>
/// <param name="Outcome"><c>booted</c>, <c>recovered</c> (recovery ran and the board then booted) or <c>bricked</c>.</param>
/// <param name="LastBoot">The last bootloader run: what booted, or why it could not.</param>
/// <param name="Recovery">What recovery mode did, or null when it did not run.</param>
/// <param name="Events">The whole timeline.</param>
/// <param name="PowerOns">Power-ons in the sequence (1, or more after recovery).</param>
public sealed record PowerOnResult(BootOutcome Outcome, BootResult LastBoot, RecoveryResult? Recovery, IReadOnlyList<BootEvent> Events, int PowerOns)
{
    /// <summary>True when the board ends running a verified slot.</summary>
    public bool Healthy => Outcome is BootOutcome.Booted or BootOutcome.Recovered;

    /// <summary>
    /// Writes the result as one JSON object: the boot outcome object of <c>boot --json</c>
    /// (<c>outcome</c>, <c>slot</c>, <c>release</c>, <c>version</c>, <c>recovery_reason</c>,
    /// <c>os</c>, <c>marked_successful</c>, <c>events</c>) with <c>power_ons</c> and a
    /// <c>recovery</c> object: completed, source, release, version, bytes fetched and written,
    /// resumed, slots, and the failed sources with their reasons.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var boot = LastBoot with { Outcome = Outcome, Events = Events };
        writer.WriteStartObject();
        boot.WriteFields(writer);
        writer.WriteNumber("power_ons", PowerOns);
        if (Recovery is null)
        {
            writer.WriteNull("recovery");
        }
        else
        {
            writer.WriteStartObject("recovery");
            writer.WriteBoolean("completed", Recovery.Completed);
            writer.WriteString("source", Recovery.Source);
            writer.WriteString("release", Recovery.Release);
            writer.WriteString("version", Recovery.Version);
            writer.WriteNumber("bytes_fetched", Recovery.BytesFetched);
            writer.WriteNumber("bytes_written", Recovery.BytesWritten);
            writer.WriteBoolean("resumed", Recovery.Resumed);
            writer.WriteStartArray("slots");
            foreach (string slot in Recovery.Slots)
            {
                writer.WriteStringValue(slot);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("failed_sources");
            foreach (SourceFailure failure in Recovery.Failures)
            {
                writer.WriteStartObject();
                writer.WriteString("source", failure.Source);
                writer.WriteNumber("attempt", failure.Attempt);
                writer.WriteString("reason", failure.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
