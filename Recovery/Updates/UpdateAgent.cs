using System.Net.Http.Headers;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// The board's over-the-air update agent (docs/UPDATES.md): one <see cref="CheckAsync"/> fetches
/// the signed update index, verifies it (signature first, then board, channel, sequence not below
/// the last accepted, expiry), refuses a release below the board's rollback indexes, picks the
/// delta whose source is the running release (else the full package), follows the user's policy
/// (Wi-Fi only, approval, maintenance window), downloads with resume into the
/// <see cref="DownloadArea"/>, installs through <see cref="SlotUpdate"/> into the other slot with
/// the running one kept as the backup, reboots, decides from the board whether the new release
/// came up healthy or the board fell back, and reports the outcome to the server. The state it
/// keeps (<see cref="IUpdateStateStore"/>) lets a check after a power cut finish what the last one
/// began: a download resumes, an interrupted install starts again, an install that was made active
/// is booted and reported. The board is never left without a bootable slot: the install's order of
/// writes (docs/FORMAT.md "A/B update") sees to that.
/// </summary>
public sealed class UpdateAgent
{
    private const int MaxIndexBytes = UpdateIndex.MaxLength;
    private readonly Board _board;
    private readonly DownloadArea _area;
    private readonly IUpdateStateStore _store;
    private readonly HttpClient _http;
    private readonly UpdateAgentOptions _options;

    /// <summary>The agent of <paramref name="board"/> (an A/B board), talking HTTP through <paramref name="http"/>.</summary>
    public UpdateAgent(Board board, DownloadArea area, IUpdateStateStore store, HttpClient http, UpdateAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (board.Config.Profile != BoardProfile.Ab)
        {
            throw new ArgumentException("over-the-air updates need a board with two slots (profile ab): the running slot stays as the backup", nameof(board));
        }

        if (!FieldText.IsIdentifier(board.Config.BoardId))
        {
            throw new ArgumentException($"board id '{board.Config.BoardId}' cannot name an update index (1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit)", nameof(board));
        }

        _board = board;
        _area = area;
        _store = store;
        _http = http;
        _options = options;
    }

    /// <summary>Approves the release on offer (or <paramref name="releaseId"/>) for a board that requires approval; returns the state stored.</summary>
    /// <exception cref="InvalidOperationException">No release is on offer and none was named.</exception>
    public static UpdateState Approve(IUpdateStateStore store, string? releaseId = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        UpdateState state = store.Load();
        string release = releaseId ?? state.Offered?.ReleaseId ?? throw new InvalidOperationException("no update is on offer to approve: check the server first");
        if (!FieldText.IsIdentifier(release))
        {
            throw new ArgumentException($"release id '{release}' is not 1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit", nameof(releaseId));
        }

        state = state with { ApprovedRelease = release };
        store.Save(state);
        return state;
    }

    /// <summary>
    /// Checks again and again, waiting <paramref name="waitUntil"/> between checks for the next one
    /// due, until an update is installed or rolled back, or <paramref name="maxChecks"/> checks ran.
    /// </summary>
    public async Task<UpdateCheckResult> PollAsync(int maxChecks, Func<DateTimeOffset, CancellationToken, Task> waitUntil, bool approve = false, Action<UpdateCheckResult>? each = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChecks, 1);
        ArgumentNullException.ThrowIfNull(waitUntil);
        for (int check = 1; ; check++)
        {
            UpdateCheckResult result = await CheckAsync(approve, cancel).ConfigureAwait(false);
            each?.Invoke(result);
            if (check == maxChecks || result.Status is UpdateStatus.Installed or UpdateStatus.RolledBack)
            {
                return result;
            }

            await waitUntil(result.NextCheck, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One check: finish an install a power cut interrupted, then fetch and verify the index, and,
    /// when the policy allows, download, install, reboot and report. Refusals and failures are the
    /// result's status (never thrown); storage faults of the board (a power cut) propagate.
    /// </summary>
    /// <param name="approve">The user approves the release on offer now (<c>recoverysim update DIR --approve</c>).</param>
    /// <param name="cancel">Cancels the check.</param>
    public async Task<UpdateCheckResult> CheckAsync(bool approve = false, CancellationToken cancel = default)
    {
        var run = new Check(this, approve);
        return await run.RunAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>One check's state: the log, the stored state as it changes, and the outcome.</summary>
    private sealed class Check(UpdateAgent agent, bool approve)
    {
        private readonly BootLog _log = new(new BootClock(agent._options.Clock), agent._options.Observer);
        private readonly BoardConfig _settings = agent._options.Settings?.Invoke() ?? agent._board.Config;
        private UpdateState _state = agent._store.Load();
        private DownloadResult? _download;
        private UpdatePackage? _offered;
        private SlotUpdateResult? _install;

        private Board Board => agent._board;

        /// <summary>Adds an event stamped with the agent's clock as it is now (a boot log's clock only moves when told).</summary>
        private void Log(BootEventKind kind, string message, Func<BootEvent, BootEvent>? details = null)
        {
            TimeSpan behind = Now - _log.Clock.Now;
            if (behind > TimeSpan.Zero)
            {
                _log.Clock.Advance(behind);
            }

            _log.Add(kind, message, details);
        }

        private UpdatePolicy Policy => _settings.Update;

        private DateTimeOffset Now => agent._options.Clock.GetUtcNow();

        /// <summary>The server's base URL with a final '/', so a base with a path (<c>http://host/updates</c>) keeps it: <c>v1/...</c> goes below.</summary>
        private Uri Server
        {
            get
            {
                string text = (agent._options.Server ?? new Uri(Policy.Server)).AbsoluteUri;
                return new Uri(text.EndsWith('/') ? text : text + "/");
            }
        }

        public async Task<UpdateCheckResult> RunAsync(CancellationToken cancel)
        {
            await SendReportsAsync(cancel).ConfigureAwait(false);
            if (_state.Attempt is { } attempt && await FinishAttemptAsync(attempt, cancel).ConfigureAwait(false) is { } finished)
            {
                return finished;
            }

            if (_settings.Network == NetworkType.Offline)
            {
                return End(UpdateStatus.Offline, "the board has no network link (simulation.network is offline)");
            }

            VerifiedUpdateIndex verified;
            try
            {
                verified = await FetchIndexAsync(cancel).ConfigureAwait(false);
            }
            catch (UpdateDownloadException e)
            {
                return End(UpdateStatus.Failed, e.Message);
            }
            catch (ImageException e)
            {
                return await RefuseAsync(ReasonOf(e), e.Message, null, cancel).ConfigureAwait(false);
            }

            UpdateIndex index = verified.Index;
            _state = _state with { LastSequence = Math.Max(_state.LastSequence, index.Sequence) };
            Slot running = RunningSlot();
            string? runningRelease = Board.Verifier().SignedRelease(running);
            if (index.Latest is not { } latest || latest.ReleaseId == runningRelease)
            {
                _state = _state with { Offered = null };
                Log(UpdateEventKinds.Checked, $"index {index.Sequence} of {index.BoardId}/{index.Channel}: slot {SlotNames.Name(running)} runs {runningRelease ?? "no verified release"}, the latest",
                    e => e with { Release = runningRelease, Count = index.Sequence });
                return End(UpdateStatus.UpToDate, $"release {runningRelease} is the latest on {index.Channel}");
            }

            ulong floor = RollbackFloor(running);
            if (latest.RollbackIndex < floor)
            {
                return await RefuseAsync("rollback",
                    $"the index offers release {latest.ReleaseId} ({latest.Version}) at rollback index {latest.RollbackIndex}, below the board's {floor}: refused (no downgrade)", latest.ReleaseId, cancel).ConfigureAwait(false);
            }

            UpdatePackage package = index.Packages.FirstOrDefault(p => p.Kind == UpdatePackageKind.Delta && p.Target == latest && p.FromRelease == runningRelease)
                ?? index.Packages.First(p => p.Kind == UpdatePackageKind.Full && p.Target == latest);
            _state = _state with { Offered = package };
            _offered = package;
            Log(UpdateEventKinds.Checked,
                $"index {index.Sequence} of {index.BoardId}/{index.Channel} offers release {latest.ReleaseId} ({latest.Version}): {(package.Kind == UpdatePackageKind.Delta ? $"delta from {package.FromRelease}" : "full package")} {package.File}, {package.Size} bytes",
                e => e with { Release = latest.ReleaseId, Version = latest.Version, RollbackIndex = latest.RollbackIndex, Bytes = package.Size, Count = index.Sequence });

            if (Policy.WifiOnly && !NetworkTypeNames.IsUnmetered(_settings.Network))
            {
                return Defer(UpdateStatus.WaitingForWifi, $"release {latest.ReleaseId} waits for Wi-Fi: the board downloads only over Wi-Fi or Ethernet, and its link is {NetworkTypeNames.Name(_settings.Network)}");
            }

            if (Policy.RequireApproval && _state.ApprovedRelease != latest.ReleaseId)
            {
                if (!approve)
                {
                    return Defer(UpdateStatus.PendingApproval, $"release {latest.ReleaseId} ({latest.Version}) waits for the user's approval");
                }

                _state = _state with { ApprovedRelease = latest.ReleaseId };
            }

            try
            {
                var limits = new DownloadLimits
                {
                    MinRateBytesPerSecond = Policy.MinRateBytesPerSecond,
                    RateWindow = TimeSpan.FromSeconds(Policy.RateWindowSeconds),
                    DurableInterval = agent._options.DownloadDurableInterval,
                };
                _download = await new PackageDownload(agent._http, agent._area, agent._options.TransferTime ?? agent._options.Clock, limits, _log)
                    .RunAsync(Url("packages", package.File), package, cancel).ConfigureAwait(false);
            }
            catch (UpdateRefusedException e)
            {
                return await RefuseAsync(e.Reason, e.Message, latest.ReleaseId, cancel).ConfigureAwait(false);
            }
            catch (UpdateDownloadException e)
            {
                return End(UpdateStatus.Failed, e.Message);
            }

            if (Policy.MaintenanceWindow is { } window && !window.Contains(Now))
            {
                DateTimeOffset opening = window.NextOpening(Now);
                return Defer(UpdateStatus.WaitingForWindow, $"release {latest.ReleaseId} is downloaded and verified; it installs in the maintenance window {window} UTC, next at {UtcTimestamp.Format(opening)}", opening);
            }

            return await InstallAsync(running, runningRelease, package, cancel).ConfigureAwait(false);
        }

        private async Task<UpdateCheckResult> InstallAsync(Slot running, string? runningRelease, UpdatePackage package, CancellationToken cancel)
        {
            var attempt = new UpdateAttempt(runningRelease, package.ReleaseId, SlotNames.Name(SlotNames.Other(running)), Activated: false);
            _state = _state with { Attempt = attempt };
            agent._store.Save(_state); // before the first write to the target slot
            var update = new SlotUpdate(Board, _log, agent._options.DurableInterval);
            Stream Open() => agent._area.OpenData(package.Size, writable: false);
            try
            {
                _install = package.Kind == UpdatePackageKind.Delta
                    ? await update.InstallDeltaAsync(Open, package.Target, cancel).ConfigureAwait(false)
                    : await update.InstallAsync(Open, package.Target, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ImageException or SlotUpdateException or BoardException)
            {
                // The package the index vouched for does not install: it is discarded, the target stays unbootable, the running slot untouched.
                agent._area.Clear();
                _state = _state with { Attempt = null };
                return await RefuseAsync(e is SlotUpdateException s ? s.Reason : e is ImageException i ? ReasonOf(i) : "does-not-fit", e.Message, package.ReleaseId, cancel).ConfigureAwait(false);
            }

            agent._area.Clear();
            _state = _state with { Attempt = attempt with { Activated = true } };
            agent._store.Save(_state);
            return await RebootAndDecideAsync(_state.Attempt!, cancel).ConfigureAwait(false);
        }

        /// <summary>A check found an install not yet reported: finish it, or drop it to start again.</summary>
        private async Task<UpdateCheckResult?> FinishAttemptAsync(UpdateAttempt attempt, CancellationToken cancel)
        {
            Slot target = SlotNames.TryParse(attempt.Slot, out Slot parsed) ? parsed : throw new ArgumentException($"slot '{attempt.Slot}'", nameof(attempt));
            BootControlBlock control = Control();
            bool activated = attempt.Activated
                || (control[target].IsBootable && AbRules.Choose(control, BoardLayout.Slots(BoardProfile.Ab)) == target
                    && Board.Verifier().SignedRelease(target) == attempt.ToRelease);
            if (!activated)
            {
                Log(UpdateEventKinds.Interrupted, $"the install of release {attempt.ToRelease} into slot {attempt.Slot} was interrupted before the slot was made active: it starts again",
                    e => e with { Slot = attempt.Slot, Release = attempt.ToRelease });
                _state = _state with { Attempt = null };
                return null;
            }

            UpdateAttempt active = attempt with { Activated = true };
            Slot now = RunningSlot();
            if (now == target && !control[target].Successful)
            {
                return await RebootAndDecideAsync(active, cancel).ConfigureAwait(false);
            }

            return await DecideAsync(active, cancel).ConfigureAwait(false);
        }

        private async Task<UpdateCheckResult> RebootAndDecideAsync(UpdateAttempt attempt, CancellationToken cancel)
        {
            await agent._options.Reboot(cancel).ConfigureAwait(false);
            return await DecideAsync(attempt, cancel).ConfigureAwait(false);
        }

        /// <summary>After the reboot: the new release runs and is marked successful (installed), or the board fell back (rolled back).</summary>
        private async Task<UpdateCheckResult> DecideAsync(UpdateAttempt attempt, CancellationToken cancel)
        {
            BootControlBlock control = Control();
            Slot? running = AbRules.Choose(control, BoardLayout.Slots(BoardProfile.Ab));
            string? release = running is { } r ? Board.Verifier().SignedRelease(r) : null;
            _state = _state with { Attempt = null };
            if (running is { } slot && release == attempt.ToRelease && control[slot].Successful)
            {
                _state = _state with { Offered = null, ApprovedRelease = null };
                Log(UpdateEventKinds.Installed, $"release {attempt.ToRelease} runs in slot {SlotNames.Name(slot)} and is marked successful; slot {SlotNames.Name(SlotNames.Other(slot))} keeps {attempt.FromRelease} as the backup",
                    e => e with { Slot = SlotNames.Name(slot), Release = attempt.ToRelease });
                await ReportAsync(InstallOutcome.Installed, attempt.FromRelease, attempt.ToRelease, $"slot {SlotNames.Name(slot)} marked successful", cancel).ConfigureAwait(false);
                return End(UpdateStatus.Installed, $"release {attempt.ToRelease} installed in slot {SlotNames.Name(slot)} and marked successful");
            }

            if (release == attempt.ToRelease)
            {
                string failed = $"release {attempt.ToRelease} runs in slot {attempt.Slot} but its OS has not marked it successful";
                await ReportAsync(InstallOutcome.Failed, attempt.FromRelease, attempt.ToRelease, failed, cancel).ConfigureAwait(false);
                return End(UpdateStatus.Failed, failed);
            }

            string detail = $"release {attempt.ToRelease} did not come up healthy in slot {attempt.Slot}; the board runs {release ?? "no verified release"}{(running is { } b ? $" in slot {SlotNames.Name(b)}" : "")}";
            Log(UpdateEventKinds.RolledBack, detail, e => e with { Slot = attempt.Slot, Release = attempt.ToRelease });
            await ReportAsync(InstallOutcome.RolledBack, attempt.FromRelease, attempt.ToRelease, detail, cancel).ConfigureAwait(false);
            return End(UpdateStatus.RolledBack, detail);
        }

        private async Task<VerifiedUpdateIndex> FetchIndexAsync(CancellationToken cancel)
        {
            byte[] json = await GetSmallAsync(Url(UpdateIndex.FileName), MaxIndexBytes, cancel).ConfigureAwait(false);
            byte[] signature = await GetSmallAsync(Url(UpdateIndex.SignatureFileName), 4096, cancel).ConfigureAwait(false);
            return UpdateIndexReader.Read(json, signature, new UpdateIndexReadOptions(Board.TrustedKeys(), BoardId, Policy.Channel, agent._options.Clock)
            {
                MinimumSequence = _state.LastSequence,
            });
        }

        /// <summary>GETs a small document, reading at most <paramref name="limit"/> bytes whatever the server declares or sends.</summary>
        private async Task<byte[]> GetSmallAsync(Uri url, int limit, CancellationToken cancel)
        {
            HttpResponseMessage response;
            try
            {
                response = await agent._http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new UpdateDownloadException($"GET {url}: {e.Message}", e);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw new UpdateDownloadException($"GET {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }

                if (response.Content.Headers.ContentLength > limit)
                {
                    throw new ImageFormatException($"GET {url}: {response.Content.Headers.ContentLength} bytes, over the {limit}-byte limit", url.Segments[^1], "size");
                }

                try
                {
                    await using Stream body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
                    byte[] buffer = new byte[limit + 1];
                    int length = 0, n;
                    while (length < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(length), cancel).ConfigureAwait(false)) > 0)
                    {
                        length += n;
                    }

                    if (length > limit)
                    {
                        throw new ImageFormatException($"GET {url}: more than {limit} bytes", url.Segments[^1], "size");
                    }

                    return buffer[..length];
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    throw new UpdateDownloadException($"GET {url}: {e.Message}", e);
                }
            }
        }

        private async Task<UpdateCheckResult> RefuseAsync(string reason, string detail, string? release, CancellationToken cancel)
        {
            Log(UpdateEventKinds.Refused, detail, e => e with { Reason = reason, Release = release });
            if (release is not null)
            {
                string? running = Board.Verifier().SignedRelease(RunningSlot());
                await ReportAsync(InstallOutcome.Refused, running, release, $"{reason}: {detail}", cancel).ConfigureAwait(false);
            }

            return End(UpdateStatus.Refused, detail, reason: reason);
        }

        private UpdateCheckResult Defer(UpdateStatus status, string detail, DateTimeOffset? next = null)
        {
            Log(UpdateEventKinds.Deferred, detail, e => e with { Reason = UpdateStatusNames.Name(status), Release = _state.Offered?.ReleaseId });
            return End(status, detail, next: next);
        }

        private UpdateCheckResult End(UpdateStatus status, string detail, string? reason = null, DateTimeOffset? next = null)
        {
            if (status == UpdateStatus.Failed)
            {
                Log(UpdateEventKinds.Failed, detail);
            }

            DateTimeOffset now = Now;
            _state = _state with { Status = status, Detail = OneLine(detail), LastCheck = UtcTimestamp.Truncate(now) };
            agent._store.Save(_state);
            DateTimeOffset due = next ?? now + TimeSpan.FromSeconds(Policy.PollIntervalSeconds);
            return new UpdateCheckResult(status, detail, reason, _offered ?? _state.Offered, _download, _install, due, _log.Events);
        }

        /// <summary>Sends <paramref name="outcome"/> to the server; kept to send later when the server does not take it.</summary>
        private async Task ReportAsync(InstallOutcome outcome, string? from, string to, string detail, CancellationToken cancel)
        {
            var report = new InstallReport(BoardId, Policy.DeviceId, from, to, outcome, OneLine(detail), UtcTimestamp.Truncate(Now));
            _state = _state with { UnsentReports = [.. _state.UnsentReports.TakeLast(UpdateState.MaxUnsentReports - 1), report] };
            await SendReportsAsync(cancel).ConfigureAwait(false);
        }

        /// <summary>Posts the reports not yet taken, oldest first, and stops at the first the server does not take.</summary>
        private async Task SendReportsAsync(CancellationToken cancel)
        {
            while (_state.UnsentReports.Count > 0 && _settings.Network != NetworkType.Offline)
            {
                InstallReport report = _state.UnsentReports[0];
                Uri url = new(Server, $"v1/{Uri.EscapeDataString(BoardId)}/reports");
                try
                {
                    using var content = new ByteArrayContent(report.ToJson());
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using HttpResponseMessage response = await agent._http.PostAsync(url, content, cancel).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Log(UpdateEventKinds.Reported, $"POST {url}: HTTP {(int)response.StatusCode}: the {InstallReport.OutcomeName(report.Outcome)} report is kept to send later", e => e with { Release = report.ToRelease });
                        return;
                    }
                }
                catch (HttpRequestException e)
                {
                    Log(UpdateEventKinds.Reported, $"POST {url}: {e.Message}: the {InstallReport.OutcomeName(report.Outcome)} report is kept to send later", ev => ev with { Release = report.ToRelease });
                    return;
                }

                _state = _state with { UnsentReports = [.. _state.UnsentReports.Skip(1)] };
                Log(UpdateEventKinds.Reported, $"reported {InstallReport.OutcomeName(report.Outcome)} for release {report.ToRelease} to {url}", e => e with { Release = report.ToRelease });
            }
        }

        /// <summary>The board id, as the index and the reports name it (the constructor checked it is an identifier).</summary>
        private string BoardId => Board.Config.BoardId;

        private Uri Url(params string[] last) =>
            new(Server, string.Join('/', ["v1", Uri.EscapeDataString(BoardId), Uri.EscapeDataString(Policy.Channel), .. last.Select(Uri.EscapeDataString)]));

        private BootControlBlock Control() =>
            Board.Control.Read().Block ?? throw new SlotUpdateException("the boot control block has no valid copy: power the board on first", "no-backup");

        private Slot RunningSlot() =>
            AbRules.Choose(Control(), BoardLayout.Slots(BoardProfile.Ab)) ?? throw new SlotUpdateException("no slot is bootable: recover the board first", "no-backup");

        /// <summary>The lowest rollback index a release may have: the board's stored indexes and the running release's own.</summary>
        private ulong RollbackFloor(Slot running)
        {
            RollbackIndexes stored = Board.Rpmb.Read();
            ulong floor = 0;
            foreach (string partition in BoardLayout.SlotPartitions(BoardProfile.Ab, running))
            {
                floor = Math.Max(floor, stored[BoardLayout.RollbackLocation(BoardLayout.KindOf(partition))]);
                floor = Math.Max(floor, Board.Verifier().VerifyHeader(partition, 0).RollbackIndex ?? 0);
            }

            return floor;
        }

        private static string ReasonOf(ImageException e) => e switch
        {
            SignatureException => "bad-signature",
            ImagePolicyException { Field: "expires_at" } => "freeze",
            ImagePolicyException { Field: "sequence" } => "replayed-index",
            ImagePolicyException { Field: "board_id" or "channel" or "board_ids" } => "wrong-board",
            ImagePolicyException { Field: "rollback_index" } => "rollback",
            ImagePolicyException => "policy",
            _ => "bad-format",
        };

        private static string OneLine(string text)
        {
            string line = new([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
            return line.Length <= InstallReport.MaxDetailLength ? line : line[..InstallReport.MaxDetailLength];
        }
    }
}
