using System.Security.Cryptography;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Install;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Recovery.Journal;
using RecoverySim.Recovery.Sources;
using RecoverySim.Tftp;

namespace RecoverySim.Recovery;

/// <summary>
/// Recovery mode (DESIGN.md "Recovery mode"): fetches a signed golden image from the first source
/// that delivers one, verifies its manifest before writing a byte, installs it partition by
/// partition into one slot through the <see cref="SlotInstaller"/> (journaled in <c>misc</c>),
/// verifies that slot, copies it into the other slot on an A/B board, and only then clears the
/// recovery request. docs/FORMAT.md "Recovery journal" gives the order of every write and why a
/// power cut between any two of them is safe: the next power-on resumes (or restarts) and never
/// boots a half-written slot. <c>userdata</c> and the RPMB are never written.
/// </summary>
public sealed class RecoveryMode
{
    private readonly Board _board;
    private readonly IReadOnlyList<GoldenImageSource> _sources;
    private readonly RecoveryOptions _options;
    private readonly BootLog _log;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly TimeSpan _clockAtStart;
    private readonly RecoveryJournal _journal;
    private readonly HashSet<Slot> _badTargets = [];
    private readonly List<SourceFailure> _failures = [];
    private long _fetched;
    private long _written;
    private bool _resumed;

    /// <summary>
    /// Recovery mode of <paramref name="board"/> with <paramref name="sources"/> in the order to try
    /// them; events go to <paramref name="log"/>, whose simulated clock moves on by the time
    /// recovery takes on <paramref name="time"/> (fetching and writing take real time).
    /// </summary>
    public RecoveryMode(Board board, IReadOnlyList<GoldenImageSource> sources, BootLog log, TimeProvider time, RecoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _startedAt = time.GetTimestamp();
        _clockAtStart = log.Clock.Elapsed;
        _board = board;
        _sources = sources;
        _log = log;
        _options = options ?? new RecoveryOptions();
        _journal = new RecoveryJournal(board.Partition(BoardLayout.Misc));
    }

    private IReadOnlyList<Slot> Slots => BoardLayout.Slots(_board.Config.Profile);

    /// <summary>The board recovery writes.</summary>
    internal Board Board => _board;

    /// <summary>The journal in <c>misc</c>.</summary>
    internal RecoveryJournal Journal => _journal;

    /// <summary>How recovery runs.</summary>
    internal RecoveryOptions Options => _options;

    /// <summary>True when <paramref name="slot"/> failed to read back in this run.</summary>
    internal bool IsBadTarget(Slot slot) => _badTargets.Contains(slot);

    /// <summary>The run continued an interrupted recovery.</summary>
    internal void NoteResumed() => _resumed = true;

    /// <summary>Counts bytes written to slot partitions.</summary>
    internal void AddWritten(long bytes) => _written += bytes;

    /// <summary>
    /// Runs recovery mode once. Completes the board (both slots on an A/B board) or, when every
    /// source fails, leaves it as it was apart from what a resumable recovery had already written
    /// (the request stays set, nothing bootable is erased). Storage faults (a power cut) propagate.
    /// </summary>
    public async Task<RecoveryResult> RunAsync(CancellationToken cancel = default)
    {
        RecoveryJournalRecord journal = _journal.Read();
        BootControlBlock control = CurrentControl();
        Log(RecoveryEventKinds.Started, journal.InProgress
            ? $"recovery mode: the journal shows an interrupted recovery of release {journal.ReleaseId} ({Kebab(journal.Phase)} slot {SlotNames.Name(journal.Phase == RecoveryPhase.Copying ? SlotNames.Other(journal.InstallSlot) : journal.InstallSlot)}, partition {journal.PartitionIndex}, {journal.DurableBytes} bytes durable)"
            : "recovery mode: no recovery in progress; fetching a golden image",
            e => e with { Release = journal.InProgress ? journal.ReleaseId : null, Bytes = journal.InProgress ? journal.DurableBytes : null });

        if (journal.Phase == RecoveryPhase.Copying)
        {
            // The install slot was verified before this phase was journaled; check it again (it is
            // read-only since) and continue locally, with no source needed.
            VerifiedSlot? installed = VerifySlot(journal.InstallSlot, journal.ReleaseId, null);
            if (installed is not null)
            {
                _resumed = true;
                Log(RecoveryEventKinds.Resumed, $"continuing the copy of slot {SlotNames.Name(journal.InstallSlot)} into slot {SlotNames.Name(SlotNames.Other(journal.InstallSlot))}",
                    e => e with { Slot = SlotNames.Name(journal.InstallSlot), Release = journal.ReleaseId });
                return Finish(Copy(journal, installed, cancel), journal.ReleaseId, journal.Version, describe: $"slot {SlotNames.Name(journal.InstallSlot)}");
            }

            journal = _journal.Write(RecoveryJournalRecord.Idle);
        }

        if (control.RecoveriesWithoutSuccess >= _options.MaxRecoveriesWithoutSuccess && control.Recovery.Reason != RecoveryReason.UserRequested)
        {
            string why = $"{control.RecoveriesWithoutSuccess} recoveries completed since the OS last marked a slot successful: the golden image does not come up healthy either; recovery stops here and waits for a user's request";
            _failures.Add(new SourceFailure("(none)", 0, why));
            Log(RecoveryEventKinds.Stopped, why, e => e with { Reason = "boot-loop-guard", Count = control.RecoveriesWithoutSuccess });
            return Fail();
        }

        RecoverySource narrowed = control.Recovery.Source;
        IReadOnlyList<GoldenImageSource> sources = narrowed == RecoverySource.Any ? _sources : _sources.Where(s => s.Kind == narrowed).ToArray();
        if (sources.Count == 0)
        {
            string why = _sources.Count == 0 ? "no source is configured" : $"the recovery request asks for source {Kebab(narrowed)}, which is not configured";
            _failures.Add(new SourceFailure("(none)", 0, why));
            Log(RecoveryEventKinds.SourceFailed, why, e => e with { Reason = "no-source" });
        }

        foreach (GoldenImageSource source in sources)
        {
            for (int attempt = 1; attempt <= Math.Max(1, source.Attempts); attempt++)
            {
                if (InstallCandidates(journal).Count == 0)
                {
                    break;
                }

                Log(RecoveryEventKinds.SourceTried, $"trying {source.Description} (attempt {attempt} of {Math.Max(1, source.Attempts)})",
                    e => e with { Source = source.Description, Count = attempt });
                var sink = new RecoverySink(this, source, journal);
                try
                {
                    await FetchAsync(source, sink, cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (IsSourceFailure(e))
                {
                    journal = sink.Journal;
                    string reason = OneLine(e);
                    _failures.Add(new SourceFailure(source.Description, attempt, reason));
                    Log(RecoveryEventKinds.SourceFailed, $"{source.Description}: {reason}", ev => ev with { Source = source.Description, Count = attempt, Reason = FailureKind(e) });
                    if (e is SlotInstallException { TargetAtFault: true } bad && SlotOf(bad.Target) is Slot slot)
                    {
                        // The board's own partition is bad (it read back wrong): never install there again in
                        // this run; an A/B board installs into the other slot instead, and the attempt is not spent.
                        _badTargets.Add(slot);
                        MarkUnreadable(slot);
                        Log(RecoveryEventKinds.SlotFailed, $"slot {SlotNames.Name(slot)} cannot be written: {bad.Message}",
                            ev => ev with { Slot = SlotNames.Name(slot), Partition = bad.Target, Reason = "unreadable" });
                        journal = _journal.Write(RecoveryJournalRecord.Idle);
                        attempt--;
                    }

                    continue;
                }

                journal = sink.Journal;
                GoldenImageManifest manifest = sink.Manifest!;
                Slot installSlot = sink.InstallSlot!.Value;

                // Every partition written in this run was read back against the signed manifest's hash;
                // one skipped as installed before a cut is verified in full.
                VerifiedSlot? verified = VerifySlot(installSlot, manifest, full: sink.Resumed);
                if (verified is null)
                {
                    journal = _journal.Write(RecoveryJournalRecord.Idle);
                    _failures.Add(new SourceFailure(source.Description, attempt, $"slot {SlotNames.Name(installSlot)} does not verify after the install"));
                    continue;
                }

                if (sink.BothSlots)
                {
                    Slot other = SlotNames.Other(installSlot);
                    bool otherGood = VerifySlot(other, manifest, full: sink.Resumed) is not null;
                    return Finish(otherGood ? [installSlot, other] : [installSlot], manifest.ReleaseId, manifest.Version, source.Description);
                }

                journal = _journal.Write(journal with { Phase = RecoveryPhase.Copying, PartitionIndex = 0, DurableBytes = 0 });
                return Finish(Copy(journal, verified, cancel), manifest.ReleaseId, manifest.Version, source.Description);
            }
        }

        return Fail();
    }

    private async Task FetchAsync(GoldenImageSource source, RecoverySink sink, CancellationToken cancel)
    {
        GoldenImageReadOptions options = GoldenImageFit.ReadOptions(_board);

        GoldenImageManifest? checkedManifest = null;
        if (source.CanReread)
        {
            // A file or a stick: the whole image verified first, nothing written.
            var check = new CheckSink(this);
            await ReadAsync(source, options, check, null, cancel).ConfigureAwait(false);
            checkedManifest = check.Manifest;
        }

        var progress = _options.Progress is null ? null
            : new SyncProgress<GoldenImageProgress>(p => _options.Progress.Report(new RecoveryProgress("install", sink.TargetName(p.Partition), p.BytesDone, p.BytesTotal)));
        try
        {
            await ReadAsync(source, options, sink, progress, cancel).ConfigureAwait(false);
        }
        finally
        {
            sink.Abort();
        }

        if (checkedManifest is not null && !checkedManifest.Equals(sink.Manifest))
        {
            throw new GoldenImageSourceException($"{source.Description}: the golden image changed between verification and writing");
        }
    }

    private async Task ReadAsync(GoldenImageSource source, GoldenImageReadOptions options, GoldenImageSink sink, IProgress<GoldenImageProgress>? progress, CancellationToken cancel)
    {
        OpenedGoldenImage opened = await source.OpenAsync(MaxGoldenImageBytes(), cancel).ConfigureAwait(false);
        try
        {
            await GoldenImageReader.ReadAsync(opened.Stream, options, sink, progress, cancel).ConfigureAwait(false);
            await opened.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _fetched += opened.BytesFetched;
            await opened.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The slots a fresh install may use, best first: unbootable ones before bootable ones, lower priority first, never one that failed in this run.</summary>
    internal IReadOnlyList<Slot> InstallCandidates(RecoveryJournalRecord journal)
    {
        BootControlBlock control = CurrentControl();
        return Slots.Where(s => !_badTargets.Contains(s))
            .OrderBy(s => journal.Phase == RecoveryPhase.Installing && s == journal.InstallSlot ? 0 : 1)
            .ThenBy(s => control[s].IsBootable ? 1 : 0)
            .ThenBy(s => control[s].Priority)
            .ThenBy(s => s)
            .ToArray();
    }

    /// <summary>
    /// Copies the verified install slot into the other slot of an A/B board (nothing to do on a
    /// single board), partition by partition through the slot installer, journaled. Returns the
    /// slots that hold the golden release at the end.
    /// </summary>
    private IReadOnlyList<Slot> Copy(RecoveryJournalRecord journal, VerifiedSlot installed, CancellationToken cancel)
    {
        Slot source = journal.InstallSlot;

        // The install slot is verified: it becomes the active slot now (the request stays set, so a
        // cut from here on comes back to recovery mode, which finishes the copy).
        BootControlBlock control = CurrentControl();
        BootControlBlock active = AbRules.SetActive(control, source, _board.Config.Limits.MaxTries);
        if (active != control)
        {
            _board.Control.Write(active);
        }

        if (Slots.Count == 1 || _badTargets.Contains(SlotNames.Other(source)))
        {
            return [source];
        }

        // Never a bootable slot under a half-written copy: unbootable before its first byte changes.
        Slot target = SlotNames.Other(source);
        PrepareInstall([target]);

        try
        {
            for (int i = journal.PartitionIndex; i < installed.Partitions.Count; i++)
            {
                (string kind, long length, byte[] sha256) = installed.Partitions[i];
                string from = BoardLayout.PartitionName(_board.Config.Profile, kind, source);
                string to = BoardLayout.PartitionName(_board.Config.Profile, kind, target);
                long resume = i == journal.PartitionIndex ? journal.DurableBytes : 0;
                Log(RecoveryEventKinds.PartitionInstalling, $"copying {from} into {to} ({length} bytes{(resume > 0 ? $", {resume} payload bytes already durable" : "")})",
                    e => e with { Slot = SlotNames.Name(target), Partition = to, Bytes = resume });
                cancel.ThrowIfCancellationRequested();
                var hook = new JournalHook(_journal, journal with { PartitionIndex = i }, installed.Partitions.Count);
                using (var image = new BlockDeviceStream(_board.Partition(from), 0, length, writable: false))
                using (SlotWriteStream install = SlotInstaller.Begin([new SlotTarget(to, _board.Partition(to))], length,
                    new SlotInstallOptions { ResumePayloadBytes = resume, DurableInterval = _options.DurableInterval, ExpectedImageSha256 = sha256, Hook = hook }))
                {
                    CopyInto(image, install, length, to);
                    install.Commit();
                    _written += length - install.SkippedPayloadBytes;
                }

                journal = hook.Journal;
                Log(RecoveryEventKinds.PartitionInstalled, $"{to} written and read back verified", e => e with { Slot = SlotNames.Name(target), Partition = to, Bytes = length });
            }
        }
        catch (SlotInstallException e)
        {
            // The copy's target read back wrong (or the install slot could not be read): the board
            // keeps the one verified slot, and the other stays unbootable.
            _badTargets.Add(target);
            MarkUnreadable(target);
            Log(RecoveryEventKinds.SlotFailed, $"slot {SlotNames.Name(target)} cannot be written: {e.Message}; the board keeps one good slot",
                ev => ev with { Slot = SlotNames.Name(target), Partition = e.Target, Reason = "unreadable" });
            return [source];
        }

        if (VerifySlot(target, installed.Release, installed.Partitions.Select(p => p.Sha256).ToArray()) is null)
        {
            MarkUnreadable(target);
            return [source];
        }

        return [source, target];
    }

    private void CopyInto(Stream image, SlotWriteStream install, long length, string partition)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(SlotInstallOptions.ChunkBytes);
        try
        {
            long done = 0;
            while (done < length)
            {
                int n;
                try
                {
                    n = image.Read(buffer, 0, (int)Math.Min(buffer.Length, length - done));
                }
                catch (MediumException e)
                {
                    throw new SlotInstallException(partition, $"reading the install slot for {partition}: medium error at sector {e.Sector}");
                }

                if (n == 0)
                {
                    throw new SlotInstallException(partition, $"the install slot ended after {done} of {length} bytes");
                }

                install.Write(buffer.AsSpan(0, n));
                done += n;
                _options.Progress?.Report(new RecoveryProgress("copy", partition, done, length));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The end of a recovery: the journal back to idle, then the boot control block's final state
    /// in one write (every golden slot bootable with full tries, the install slot first, the
    /// request cleared, the boot counter at 0).
    /// </summary>
    private RecoveryResult Finish(IReadOnlyList<Slot> golden, string release, string version, string describe)
    {
        _journal.Write(RecoveryJournalRecord.Idle);
        BootControlBlock control = CurrentControl();
        BootControlBlock final = control;
        foreach (Slot slot in golden.Reverse())
        {
            final = AbRules.SetActive(final, slot, _board.Config.Limits.MaxTries);
        }

        final = AbRules.ClearRecovery(final) with { BootCount = 0, RecoveriesWithoutSuccess = (byte)Math.Min(byte.MaxValue, control.RecoveriesWithoutSuccess + 1) };
        if (final != control)
        {
            _board.Control.Write(final);
        }

        string slots = string.Join(" and ", golden.Select(SlotNames.Name));
        Log(RecoveryEventKinds.Completed, $"recovery completed from {describe}: slot{(golden.Count > 1 ? "s" : "")} {slots} hold release {release} ({version})",
            e => e with { Release = release, Version = version, Source = describe, Slot = SlotNames.Name(golden[0]), Bytes = _fetched });
        return new RecoveryResult
        {
            Completed = true,
            Source = describe,
            Release = release,
            Version = version,
            BytesFetched = _fetched,
            BytesWritten = _written,
            Resumed = _resumed,
            Slots = golden.Select(SlotNames.Name).ToArray(),
            Failures = _failures.ToArray(),
        };
    }

    private RecoveryResult Fail()
    {
        string why = _failures.Count == 0 ? "no slot could be written" : $"{_failures.Count} source attempt{(_failures.Count == 1 ? "" : "s")} failed";
        Log(RecoveryEventKinds.Failed, $"recovery failed: {why}", e => e with { Reason = "every-source-failed" });
        return new RecoveryResult { Completed = false, BytesFetched = _fetched, BytesWritten = _written, Resumed = _resumed, Failures = _failures.ToArray() };
    }

    /// <summary>The boot control block as last read or written (the boot flow read it); read now when it has not been, reset when no copy is valid.</summary>
    private BootControlBlock CurrentControl() =>
        _board.Control.Known
        ?? _board.Control.Read().Block
        ?? _board.Control.Initialize(BootControlBlock.Factory(_board.Config.Limits.MaxTries), _board.Control.HighestSequence());

    /// <summary>A slot whose partition read back wrong: unbootable as <c>unreadable</c> (one write, none when it already is).</summary>
    private void MarkUnreadable(Slot slot)
    {
        BootControlBlock control = CurrentControl();
        if (control[slot].Unbootable != UnbootableReason.Unreadable || control[slot].Priority != 0)
        {
            _board.Control.Write(AbRules.MarkUnbootable(control, slot, UnbootableReason.Unreadable));
        }
    }

    /// <summary>Before the first write of an install: the request set (a cut then comes back here) and every slot to be written unbootable, in one boot control block write.</summary>
    internal void PrepareInstall(IReadOnlyList<Slot> slots)
    {
        BootControlBlock control = CurrentControl();
        BootControlBlock next = control;
        if (!next.Recovery.IsRequested)
        {
            next = AbRules.RequestRecovery(next, RecoveryReason.PartitionInvalid, RecoverySource.Any);
        }

        foreach (Slot slot in slots)
        {
            if (next[slot].IsBootable || next[slot].Unbootable == UnbootableReason.None)
            {
                next = AbRules.MarkUnbootable(next, slot, UnbootableReason.Requested);
            }
        }

        if (next != control)
        {
            _board.Control.Write(next);
        }
    }

    /// <summary>Whether a fresh install may write both slots at once: an A/B board on which neither slot can boot, and neither failed in this run.</summary>
    internal bool MayInstallBoth()
    {
        BootControlBlock control = CurrentControl();
        return Slots.Count == 2 && Slots.All(s => !control[s].IsBootable && !_badTargets.Contains(s));
    }

    private VerifiedSlot? VerifySlot(Slot slot, GoldenImageManifest manifest, bool full) =>
        VerifySlot(slot, manifest.ReleaseId, full ? null : manifest.Partitions.Select(p => Convert.FromHexString(p.Sha256)).ToArray());

    /// <summary>
    /// Checks that <paramref name="slot"/> holds release <paramref name="release"/> as the
    /// bootloader will: every partition's header (signature, board, rollback index against the
    /// RPMB) and, unless <paramref name="readBack"/> gives the hashes the slot installer has just
    /// read each image back against, every payload hash too. Returns each partition's image length
    /// and SHA-256 (what a copy must reproduce), or null with an event saying why.
    /// </summary>
    private VerifiedSlot? VerifySlot(Slot slot, string release, IReadOnlyList<byte[]>? readBack)
    {
        RollbackIndexes stored = _board.Rpmb.Read();
        BoardPartitionVerifier verifier = _board.Verifier();
        string[] names = [.. BoardLayout.SlotPartitions(_board.Config.Profile, slot)];
        var requests = names.Select(p => (p, stored[BoardLayout.RollbackLocation(BoardLayout.KindOf(p))])).ToArray();
        IReadOnlyList<PartitionVerification> results = readBack is null
            ? verifier.VerifyAll(requests)
            : requests.Select(r => verifier.VerifyHeader(r.p, r.Item2)).ToArray();
        PartitionVerification? bad = results.FirstOrDefault(r => !r.Verified || r.Release != release);
        if (bad is not null || results.Count != requests.Length)
        {
            Log(RecoveryEventKinds.SlotFailed, $"slot {SlotNames.Name(slot)} does not verify as release {release}: {bad?.Partition} {(bad is null ? "" : bad.Verified ? $"is release {bad.Release}" : bad.Detail)}",
                e => e with { Slot = SlotNames.Name(slot), Partition = bad?.Partition, Release = release });
            return null;
        }

        var partitions = new List<(string Kind, long Length, byte[] Sha256)>();
        for (int i = 0; i < names.Length; i++)
        {
            IBlockDevice device = _board.Partition(names[i]);
            byte[] header = new byte[PartitionHeader.Size];
            device.Read(0, header);
            long length = PartitionHeader.Size + (long)PartitionHeader.Parse(header).PayloadLength;
            partitions.Add((BoardLayout.KindOf(names[i]), length, readBack?[i] ?? ImageHash(device, length)));
        }

        Log(RecoveryEventKinds.SlotVerified, $"slot {SlotNames.Name(slot)} verified: release {release}", e => e with { Slot = SlotNames.Name(slot), Release = release });
        return new VerifiedSlot(release, partitions);
    }

    /// <summary>The slot a slot partition belongs to (<c>system_b</c> → b), or null.</summary>
    private Slot? SlotOf(string partition)
    {
        foreach (Slot slot in Slots)
        {
            if (BoardLayout.SlotPartitions(_board.Config.Profile, slot).Contains(partition))
            {
                return slot;
            }
        }

        return null;
    }

    private static byte[] ImageHash(IBlockDevice device, long length)
    {
        using var stream = new BlockDeviceStream(device, 0, length, writable: false);
        return SHA256.HashData(stream);
    }

    private long MaxGoldenImageBytes()
    {
        // Manifest (≤ 1 MiB) and signature, a tar header and padding per member, the end marker,
        // and one slot's worth of partitions (a little more for zstd framing of incompressible data).
        long slot = BoardLayout.SlotPartitions(_board.Config.Profile, Slot.A).Sum(name => _board.Partition(name).SectorCount * _board.Partition(name).SectorSize);
        return slot + slot / 64 + GoldenImageManifest.MaxLength + (4L << 20);
    }

    /// <summary>Adds an event, stamped with the simulated clock moved on by the time recovery has taken so far.</summary>
    internal void Log(BootEventKind kind, string message, Func<BootEvent, BootEvent>? details = null)
    {
        _log.Clock.AdvanceTo(_clockAtStart + _time.GetElapsedTime(_startedAt));
        _log.Add(kind, message, details);
    }

    private static bool IsSourceFailure(Exception e) => e is not PowerLossException
        && e is ImageException or TftpException or GoldenImageSourceException or SlotInstallException or IOException or UnauthorizedAccessException or BoardException;

    private static string FailureKind(Exception e) => e switch
    {
        SignatureException => "bad-signature",
        ImagePolicyException or BoardException => "policy",
        ImageFormatException => "bad-image",
        TftpTimeoutException => "timeout",
        TftpException => "tftp",
        SlotInstallException => "install",
        _ => "unavailable",
    };

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    private static string Kebab<T>(T value) where T : struct, Enum => BootOutcomeNames.Kebab(value);

    /// <summary>A slot that verified as one release, with each partition's image length and SHA-256 (what the copy must reproduce).</summary>
    private sealed record VerifiedSlot(string Release, IReadOnlyList<(string Kind, long Length, byte[] Sha256)> Partitions);

}
