using System.Text.Json;

namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// One step of a power-on in the structured boot log. Fields that do not apply to a kind are null.
/// </summary>
/// <param name="Time">Simulated time of the step.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Message">One human-readable line.</param>
public sealed record BootEvent(DateTimeOffset Time, BootEventKind Kind, string Message)
{
    /// <summary>The slot concerned (<c>a</c>, <c>b</c>).</summary>
    public string? Slot { get; init; }

    /// <summary>The partition concerned.</summary>
    public string? Partition { get; init; }

    /// <summary>A reason in kebab-case (an unbootable reason, a recovery reason).</summary>
    public string? Reason { get; init; }

    /// <summary>Tries left on the slot after the step.</summary>
    public int? TriesRemaining { get; init; }

    /// <summary>The release id of the partition or slot.</summary>
    public string? Release { get; init; }

    /// <summary>The version string of the partition or slot.</summary>
    public string? Version { get; init; }

    /// <summary>A rollback index location.</summary>
    public int? Location { get; init; }

    /// <summary>A rollback index (the new value when raised, the header's when verified).</summary>
    public ulong? RollbackIndex { get; init; }

    /// <summary>The stored rollback index before a raise.</summary>
    public ulong? PreviousRollbackIndex { get; init; }

    /// <summary>A count (boot counter, repaired copy index, attempt number).</summary>
    public long? Count { get; init; }

    /// <summary>A golden-image source (<c>tftp 127.0.0.1:69/golden.rsim</c>, <c>usb usb.img:/recovery/golden.rsim</c>).</summary>
    public string? Source { get; init; }

    /// <summary>A byte count (fetched, written, durable).</summary>
    public long? Bytes { get; init; }

    /// <summary>Writes the event as one JSON object.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("time", Time);
        writer.WriteString("kind", Kind.Name);
        writer.WriteString("message", Message);
        if (Slot is not null) writer.WriteString("slot", Slot);
        if (Partition is not null) writer.WriteString("partition", Partition);
        if (Reason is not null) writer.WriteString("reason", Reason);
        if (TriesRemaining is not null) writer.WriteNumber("tries_remaining", TriesRemaining.Value);
        if (Release is not null) writer.WriteString("release", Release);
        if (Version is not null) writer.WriteString("version", Version);
        if (Location is not null) writer.WriteNumber("location", Location.Value);
        if (RollbackIndex is not null) writer.WriteNumber("rollback_index", RollbackIndex.Value);
        if (PreviousRollbackIndex is not null) writer.WriteNumber("previous_rollback_index", PreviousRollbackIndex.Value);
        if (Count is not null) writer.WriteNumber("count", Count.Value);
        if (Source is not null) writer.WriteString("source", Source);
        if (Bytes is not null) writer.WriteNumber("bytes", Bytes.Value);
        writer.WriteEndObject();
    }
}
