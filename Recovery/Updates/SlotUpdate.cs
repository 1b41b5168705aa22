using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Install;
using RecoverySim.BlockDevice;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// The A/B install of a release package — a full one (a golden-image bundle) or a delta package
/// (BSDIFF40 patches from the running release) — into the slot that is not running, with the
/// running slot kept as the backup: the install the update agent makes, and the
/// Lab's <c>update</c> step. Android's update_engine and RAUC do it this way: every check of the
/// package before a byte is written; the target slot unbootable before its first byte changes;
/// each partition through the one <see cref="SlotInstaller"/>; the whole slot verified as the
/// bootloader will; only then one boot control block write makes it active with full tries, so
/// the next power-on boots it and falls back to the running slot when it fails.
/// docs/FORMAT.md "A/B update" gives the order of writes and the argument for a cut between any two.
/// </summary>
public sealed class SlotUpdate
{
    private readonly Board _board;
    private readonly BootLog _log;
    private readonly long _durableInterval;

    /// <summary>The update of <paramref name="board"/>; events go to <paramref name="log"/>.</summary>
    /// <param name="board">An A/B board.</param>
    /// <param name="log">Where the install's events go.</param>
    /// <param name="durableInterval">Payload bytes between the installer's flushes.</param>
    public SlotUpdate(Board board, BootLog log, long durableInterval = 32L << 20)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(durableInterval, 1);
        if (board.Config.Profile != BoardProfile.Ab)
        {
            throw new ArgumentException("an A/B update needs a board with two slots (profile ab)", nameof(board));
        }

        _board = board;
        _log = log;
        _durableInterval = durableInterval;
    }

    /// <summary>
    /// Installs the package <paramref name="package"/> opens into the slot that is not running and
    /// makes it active. Bad packages (signature, board, rollback index, sizes, hashes) throw the
    /// reader's or the board's exception with the target slot unbootable and the running slot
    /// untouched; storage faults (a power cut) propagate.
    /// </summary>
    /// <param name="package">Opens the package.</param>
    /// <param name="expected">The release the package must install (the update index's word for it), or null for any: another is refused before a write (mix-and-match).</param>
    /// <param name="cancel">Cancels the install.</param>
    /// <exception cref="SlotUpdateException">No slot is running to keep as the backup, or the package installs another release than <paramref name="expected"/>.</exception>
    public async Task<SlotUpdateResult> InstallAsync(Func<Stream> package, UpdateRelease? expected = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        (Slot running, Slot target) = Slots();
        var sink = new UpdateSink(this, target, expected);
        Stream stream = package();
        try
        {
            await GoldenImageReader.ReadAsync(stream, GoldenImageFit.ReadOptions(_board), sink, null, cancel).ConfigureAwait(false);
        }
        finally
        {
            sink.Abort();
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        return Activate(sink.Manifest!, running, target);
    }

    /// <summary>
    /// Installs the delta package <paramref name="package"/> opens (readable and seekable: its
    /// patches are read in three places) into the slot that is not running: every check of the
    /// package and of its source release against the running slot before a write, then each target
    /// partition made from the running slot's partition (source hash checked before, target hash,
    /// header and signature after) through the slot installer, then the slot verified and made
    /// active. A package for another source release is refused with nothing written.
    /// </summary>
    /// <param name="package">Opens the package.</param>
    /// <param name="expected">The release the package must install, or null for any (see <see cref="InstallAsync"/>).</param>
    /// <param name="cancel">Cancels the install.</param>
    /// <exception cref="SlotUpdateException">No slot is running, the running slot is not the package's source release, or the package installs another release than <paramref name="expected"/>.</exception>
    public async Task<SlotUpdateResult> InstallDeltaAsync(Func<Stream> package, UpdateRelease? expected = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        (Slot running, Slot target) = Slots();
        Stream stream = package();
        await using (stream.ConfigureAwait(false))
        {
            VerifiedDeltaPackage delta = await DeltaPackageReader.OpenAsync(stream, GoldenImageFit.ReadOptions(_board), cancel).ConfigureAwait(false);
            GoldenImageManifest manifest = delta.Manifest;
            Expect(manifest, expected);
            GoldenImageFit.Check(_board, manifest, [target]);
            string? source = _board.Verifier().SignedRelease(running);
            if (source != manifest.Source!.ReleaseId)
            {
                throw new SlotUpdateException($"the delta package applies to release {manifest.Source.ReleaseId} ({manifest.Source.Version}), but slot {SlotNames.Name(running)} runs {source ?? "no verified release"}: nothing written", "wrong-source");
            }

            Verified(manifest, $"delta package from {manifest.Source.ReleaseId} ({manifest.Source.Version})");
            MarkTarget(target);
            foreach (ManifestPartition partition in manifest.Partitions)
            {
                string name = BoardLayout.PartitionName(BoardProfile.Ab, partition.Name, target);
                string from = BoardLayout.PartitionName(BoardProfile.Ab, partition.Name, running);
                _log.Add(UpdateEventKinds.PartitionInstalling, $"installing {partition.Name} into {name} from {from} ({BootOutcomeNames.Kebab(partition.Delta!.Kind)} member, {partition.Size} bytes)",
                    e => e with { Slot = SlotNames.Name(target), Partition = name, Bytes = partition.Size });
                using (var sourceImage = new BlockDeviceStream(_board.Partition(from), writable: false))
                using (SlotWriteStream install = SlotInstaller.Begin([new SlotTarget(name, _board.Partition(name))], partition.Size, new SlotInstallOptions
                {
                    DurableInterval = _durableInterval,
                    ExpectedImageSha256 = Convert.FromHexString(partition.Sha256),
                }))
                {
                    await delta.ApplyAsync(partition.Name, sourceImage, install, cancel).ConfigureAwait(false);
                    install.Commit();
                }

                _log.Add(UpdateEventKinds.PartitionInstalled, $"{name} written and read back verified", e => e with { Slot = SlotNames.Name(target), Partition = name, Bytes = partition.Size });
            }

            return Activate(manifest, running, target);
        }
    }

    /// <summary>The slot that runs (kept as the backup) and the one to install into.</summary>
    private (Slot Running, Slot Target) Slots()
    {
        BootControlBlock control = _board.Control.Read().Block ?? throw new SlotUpdateException("the boot control block has no valid copy: power the board on first", "no-backup");
        Slot running = AbRules.Choose(control, BoardLayout.Slots(BoardProfile.Ab))
            ?? throw new SlotUpdateException("no slot is bootable, so none can be kept as the backup: recover the board first", "no-backup");
        Slot target = SlotNames.Other(running);
        _log.Add(UpdateEventKinds.Started, $"update: installing into slot {SlotNames.Name(target)}, slot {SlotNames.Name(running)} stays as the backup",
            e => e with { Slot = SlotNames.Name(target) });
        return (running, target);
    }

    /// <summary>Refuses a package for another release than the one the caller was offered.</summary>
    private static void Expect(GoldenImageManifest manifest, UpdateRelease? expected)
    {
        if (expected is not null && (manifest.ReleaseId != expected.ReleaseId || manifest.Version != expected.Version || manifest.RollbackIndex != expected.RollbackIndex))
        {
            throw new SlotUpdateException($"the package installs release {manifest.ReleaseId} ({manifest.Version}, rollback index {manifest.RollbackIndex}), but release {expected.ReleaseId} ({expected.Version}, rollback index {expected.RollbackIndex}) was offered: nothing written", "mix-and-match");
        }
    }

    private void Verified(GoldenImageManifest manifest, string what) =>
        _log.Add(UpdateEventKinds.ManifestVerified, $"update package ({what}): release {manifest.ReleaseId} ({manifest.Version}), rollback index {manifest.RollbackIndex}, signed by key {manifest.KeyId}",
            e => e with { Release = manifest.ReleaseId, Version = manifest.Version, RollbackIndex = manifest.RollbackIndex });

    /// <summary>The target unbootable before its first byte changes (one boot control block write, skipped when it already is).</summary>
    private void MarkTarget(Slot target)
    {
        BootControlBlock control = _board.Control.Current;
        if (control[target].IsBootable || control[target].Unbootable != UnbootableReason.Requested)
        {
            _board.Control.Write(AbRules.MarkUnbootable(control, target, UnbootableReason.Requested));
        }
    }

    /// <summary>Verifies the written slot as the bootloader will and makes it active with full tries.</summary>
    private SlotUpdateResult Activate(GoldenImageManifest manifest, Slot running, Slot target)
    {
        var stored = _board.Rpmb.Read();
        var requests = BoardLayout.SlotPartitions(BoardProfile.Ab, target)
            .Select(p => (p, stored[BoardLayout.RollbackLocation(BoardLayout.KindOf(p))])).ToArray();
        IReadOnlyList<PartitionVerification> results = _board.Verifier().VerifyAll(requests);
        PartitionVerification? bad = results.FirstOrDefault(r => !r.Verified || r.Release != manifest.ReleaseId);
        if (bad is not null)
        {
            throw new SlotUpdateException($"slot {SlotNames.Name(target)} does not verify after the install: {bad.Partition}: {(bad.Verified ? $"release {bad.Release}" : bad.Detail)}");
        }

        _board.Control.Write(AbRules.SetActive(_board.Control.Current, target, _board.Config.Limits.MaxTries));
        _log.Add(UpdateEventKinds.SlotActivated, $"slot {SlotNames.Name(target)} holds release {manifest.ReleaseId} ({manifest.Version}) and is active with {_board.Config.Limits.MaxTries} tries",
            e => e with { Slot = SlotNames.Name(target), Release = manifest.ReleaseId, Version = manifest.Version, TriesRemaining = _board.Config.Limits.MaxTries });
        return new SlotUpdateResult(SlotNames.Name(target), SlotNames.Name(running), manifest.ReleaseId, manifest.Version, manifest.RollbackIndex);
    }

    private sealed class UpdateSink(SlotUpdate update, Slot target, UpdateRelease? expected) : GoldenImageSink
    {
        private SlotWriteStream? _install;

        public GoldenImageManifest? Manifest { get; private set; }

        public override ValueTask OnManifestVerifiedAsync(GoldenImageManifest manifest, CancellationToken cancel)
        {
            // Everything about the package is checked before the first write.
            Expect(manifest, expected);
            GoldenImageFit.Check(update._board, manifest, [target]);
            Manifest = manifest;
            update.Verified(manifest, "full");
            update.MarkTarget(target);
            return ValueTask.CompletedTask;
        }

        public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
        {
            string name = BoardLayout.PartitionName(BoardProfile.Ab, partition.Name, target);
            update._log.Add(UpdateEventKinds.PartitionInstalling, $"installing {partition.Name} into {name} ({partition.Size} bytes)",
                e => e with { Slot = SlotNames.Name(target), Partition = name, Bytes = partition.Size });
            _install = SlotInstaller.Begin([new SlotTarget(name, update._board.Partition(name))], partition.Size, new SlotInstallOptions
            {
                DurableInterval = update._durableInterval,
                ExpectedImageSha256 = Convert.FromHexString(partition.Sha256),
            });
            return ValueTask.FromResult<Stream?>(_install);
        }

        public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
        {
            SlotWriteStream install = _install!;
            _install = null;
            using (install)
            {
                install.Commit(header.RawBytes.Span);
            }

            string name = BoardLayout.PartitionName(BoardProfile.Ab, partition.Name, target);
            update._log.Add(UpdateEventKinds.PartitionInstalled, $"{name} written and read back verified", e => e with { Slot = SlotNames.Name(target), Partition = name, Bytes = partition.Size });
            return ValueTask.CompletedTask;
        }

        /// <summary>Ends an install the reader abandoned: the partition's header stays zero and the slot unbootable.</summary>
        public void Abort()
        {
            _install?.Dispose();
            _install = null;
        }
    }
}
