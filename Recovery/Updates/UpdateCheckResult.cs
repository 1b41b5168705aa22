using System.Text.Json;
using RecoverySim.Bootloader.Boot;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>What one check of the update agent did.</summary>
/// <param name="Status">Where the agent stands now.</param>
/// <param name="Detail">One line saying why.</param>
/// <param name="Reason">For a refusal, the check that failed (kebab-case: <c>rollback</c>, <c>freeze</c>, <c>bad-signature</c>, ...); else null.</param>
/// <param name="Package">The package offered, or null.</param>
/// <param name="Download">The download, when one ran.</param>
/// <param name="Install">The install, when one ran.</param>
/// <param name="NextCheck">When the next check is due (the poll interval, or the opening of the maintenance window).</param>
/// <param name="Events">The check's events, in order.</param>
public sealed record UpdateCheckResult(UpdateStatus Status, string Detail, string? Reason, UpdatePackage? Package, DownloadResult? Download,
    SlotUpdateResult? Install, DateTimeOffset NextCheck, IReadOnlyList<BootEvent> Events)
{
    /// <summary>
    /// Writes the result as one JSON object (<c>recoverysim update --json</c>, docs/UPDATES.md): status,
    /// detail, reason, package, download, install, next_check and <paramref name="events"/> (the
    /// check's own <see cref="Events"/> when null; a caller that also watched the reboots passes those).
    /// </summary>
    public void WriteJson(Utf8JsonWriter w, IReadOnlyList<BootEvent>? events = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("status", UpdateStatusNames.Name(Status));
        w.WriteString("detail", Detail);
        w.WriteString("reason", Reason);
        if (Package is { } p)
        {
            w.WriteStartObject("package");
            w.WriteString("kind", UpdatePackageKindNames.Name(p.Kind));
            w.WriteString("release_id", p.ReleaseId);
            w.WriteString("version", p.Version);
            w.WriteNumber("rollback_index", p.RollbackIndex);
            w.WriteString("from_release", p.FromRelease);
            w.WriteString("file", p.File);
            w.WriteNumber("size", p.Size);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("package");
        }

        if (Download is { } d)
        {
            w.WriteStartObject("download");
            w.WriteNumber("resumed_from", d.ResumedFrom);
            w.WriteNumber("fetched", d.Fetched);
            w.WriteBoolean("restarted", d.Restarted);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("download");
        }

        if (Install is { } i)
        {
            w.WriteStartObject("install");
            w.WriteString("slot", i.Slot);
            w.WriteString("backup", i.Backup);
            w.WriteString("release_id", i.Release);
            w.WriteString("version", i.Version);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("install");
        }

        w.WriteString("next_check", UtcTimestamp.Format(NextCheck));
        w.WriteStartArray("events");
        foreach (BootEvent e in events ?? Events)
        {
            e.WriteJson(w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
