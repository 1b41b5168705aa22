using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// <c>update-state.json</c> in a board directory (docs/FORMAT.md "Update agent state"): strict
/// JSON through the one strict layer, written whole as an atomic file. The only parser and writer
/// of the format; <see cref="MemoryUpdateStateStore"/> keeps the same bytes in memory.
/// </summary>
public sealed class UpdateStateFile : IUpdateStateStore
{
    /// <summary>The file's name in the board directory.</summary>
    public const string FileName = "update-state.json";

    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-update-state";

    /// <summary>The layout version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest file read: 256 KiB (16 reports of 8 KiB and the rest).</summary>
    public const int MaxBytes = 256 << 10;

    private static StrictJsonFormat<UpdateStateDocument> Format { get; } = new(UpdateStateJsonContext.Default, MaxBytes, maxDepth: 4);

    /// <summary>The state file of the board in <paramref name="boardDirectory"/>.</summary>
    public UpdateStateFile(string boardDirectory)
    {
        ArgumentNullException.ThrowIfNull(boardDirectory);
        Path = System.IO.Path.Combine(boardDirectory, FileName);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public UpdateState Load()
    {
        if (!File.Exists(Path))
        {
            return UpdateState.Initial;
        }

        return Checked(Path, () => Format.ReadFile(Path));
    }

    /// <inheritdoc/>
    public void Save(UpdateState state)
    {
        byte[] bytes = ToJson(state);
        using AtomicFile file = AtomicFile.Create(Path, overwrite: true);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>The file's bytes for <paramref name="state"/>: indented UTF-8, every field written, a final newline.</summary>
    public static byte[] ToJson(UpdateState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Format.Write(new UpdateStateDocument
        {
            Format = FormatName,
            Version = CurrentVersion,
            LastSequence = state.LastSequence,
            Status = UpdateStatusNames.Name(state.Status),
            Detail = state.Detail,
            LastCheck = state.LastCheck is { } t ? UtcTimestamp.Format(t) : null,
            Offered = state.Offered is { } p ? UpdatePackageDocument.From(p) : null,
            ApprovedRelease = state.ApprovedRelease,
            Attempt = state.Attempt is { } a ? new AttemptDocument { FromRelease = a.FromRelease, ToRelease = a.ToRelease, Slot = a.Slot, Activated = a.Activated } : null,
            UnsentReports = [.. state.UnsentReports.Select(r => System.Text.Encoding.UTF8.GetString(r.ToJson()))],
        });
    }

    /// <summary>Parses the file's bytes strictly; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="ImageFormatException">Not a valid state file; the message names the JSON path, expected and found.</exception>
    public static UpdateState Parse(ReadOnlySpan<byte> utf8, string source = FileName)
    {
        byte[] bytes = utf8.ToArray();
        return Checked(source, () => Format.Read(bytes, source));
    }

    /// <summary>The state in the document <paramref name="read"/> gives (the one strict layer bounds and parses it), every field checked.</summary>
    private static UpdateState Checked(string source, Func<UpdateStateDocument> read)
    {
        try
        {
            UpdateStateDocument d = read();
            var check = new JsonFieldValidator(source);
            check.Text("$.format", d.Format, f => f == FormatName, StrictJson.Quote(FormatName));
            if (d.Version != CurrentVersion)
            {
                throw check.Error("$.version", $"{CurrentVersion}", $"{d.Version}");
            }

            check.Integer("$.last_sequence", d.LastSequence, 0, long.MaxValue);
            UpdateStatus status = check.Choice("$.status", d.Status, UpdateStatusNames.All);
            check.Text("$.detail", d.Detail, t => t.Length <= InstallReport.MaxDetailLength && !t.Any(char.IsControl),
                $"at most {InstallReport.MaxDetailLength} characters on one line");
            DateTimeOffset? lastCheck = null;
            if (d.LastCheck is { } text)
            {
                lastCheck = UtcTimestamp.TryParse(text, out DateTimeOffset t) ? t : throw check.Error("$.last_check", UtcTimestamp.Rule, StrictJson.Quote(text));
            }

            UpdatePackage? offered = null;
            if (d.Offered is { } o)
            {
                offered = o.ToPackage(check, "$.offered");
                UpdateIndex.CheckPackage(check, "$.offered", offered);
            }

            if (d.ApprovedRelease is not null)
            {
                check.Text("$.approved_release", d.ApprovedRelease, FieldText.IsIdentifier, IdentifierRule);
            }

            UpdateAttempt? attempt = null;
            if (d.Attempt is { } a)
            {
                if (a.FromRelease is not null)
                {
                    check.Text("$.attempt.from_release", a.FromRelease, FieldText.IsIdentifier, IdentifierRule);
                }

                check.Text("$.attempt.to_release", a.ToRelease, FieldText.IsIdentifier, IdentifierRule);
                check.Text("$.attempt.slot", a.Slot, s => s is "a" or "b", "\"a\" or \"b\"");
                attempt = new UpdateAttempt(a.FromRelease, a.ToRelease, a.Slot, a.Activated);
            }

            check.Count("$.unsent_reports", d.UnsentReports, 0, UpdateState.MaxUnsentReports, "reports");
            var reports = new List<InstallReport>(d.UnsentReports.Count);
            for (int i = 0; i < d.UnsentReports.Count; i++)
            {
                reports.Add(InstallReport.Parse(System.Text.Encoding.UTF8.GetBytes(d.UnsentReports[i]), $"{source} {StrictJson.Element("$.unsent_reports", i)}"));
            }

            return new UpdateState
            {
                LastSequence = d.LastSequence, Status = status, Detail = d.Detail, LastCheck = lastCheck, Offered = offered,
                ApprovedRelease = d.ApprovedRelease, Attempt = attempt, UnsentReports = reports,
            };
        }
        catch (JsonInputException e)
        {
            throw new ImageFormatException(e.Message, source, e.Field, e);
        }
    }

    private const string IdentifierRule = "1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit";
}
