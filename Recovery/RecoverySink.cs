using System.Security.Cryptography;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Install;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Recovery.Journal;
using RecoverySim.Recovery.Sources;

namespace RecoverySim.Recovery;

/// <summary>
/// Where the golden image's partitions go (a <see cref="GoldenImageSink"/>): the manifest's
/// checks against the board, the choice of the install slot and of a resume point, and one
/// slot install per partition.
/// </summary>
internal sealed class RecoverySink(RecoveryMode mode, GoldenImageSource source, RecoveryJournalRecord journal) : GoldenImageSink
{
    private SlotWriteStream? _install;
    private JournalHook? _hook;
    private int _resumeIndex;
    private long _resumeBytes;

    public RecoveryJournalRecord Journal { get; private set; } = journal;

    public Slot? InstallSlot { get; private set; }

    /// <summary>True when this install writes both slots at once (no bootable slot to protect).</summary>
    public bool BothSlots { get; private set; }

    /// <summary>True when the install continued an interrupted one (some partitions were not written in this run).</summary>
    public bool Resumed { get; private set; }

    public GoldenImageManifest? Manifest { get; private set; }

    public string TargetName(string kind) => InstallSlot is Slot slot ? BoardLayout.PartitionName(mode.Board.Config.Profile, kind, slot) : kind;

    public override ValueTask OnManifestVerifiedAsync(GoldenImageManifest manifest, CancellationToken cancel)
    {
        // Everything about the image is checked here, before a single byte reaches the disk.
        IReadOnlyList<Slot> candidates = mode.InstallCandidates(Journal);
        Slot slot = candidates[0];
        GoldenImageFit.Check(mode.Board, manifest, [slot]);
        byte[] identity = SHA256.HashData(manifest.ToJson());
        Manifest = manifest;
        InstallSlot = slot;
        bool resume = Journal.Phase == RecoveryPhase.Installing && Journal.IsFor(identity) && Journal.InstallSlot == slot && Journal.PartitionIndex < manifest.Partitions.Count
            && (!Journal.BothSlots || !mode.IsBadTarget(SlotNames.Other(slot)));
        BothSlots = resume ? Journal.BothSlots : mode.MayInstallBoth();
        mode.Log(RecoveryEventKinds.ManifestVerified,
            $"{source.Description}: release {manifest.ReleaseId} ({manifest.Version}), rollback index {manifest.RollbackIndex}, signed by key {manifest.KeyId};{(BothSlots ? " no slot can boot: installing into both slots at once" : $" installing into slot {SlotNames.Name(slot)}")}{(resume ? $", resuming at partition {manifest.Partitions[Journal.PartitionIndex].Name}" : "")}",
            e => e with { Source = source.Description, Release = manifest.ReleaseId, Version = manifest.Version, RollbackIndex = manifest.RollbackIndex, Slot = SlotNames.Name(slot) });
        mode.PrepareInstall(BothSlots ? [slot, SlotNames.Other(slot)] : [slot]);
        if (resume)
        {
            mode.NoteResumed();
            Resumed = true;
            _resumeIndex = Journal.PartitionIndex;
            _resumeBytes = Journal.DurableBytes;
        }
        else
        {
            Journal = mode.Journal.Write(new RecoveryJournalRecord(0, RecoveryPhase.Installing, source.Kind, slot, 0, 0, identity,
                manifest.ReleaseId, manifest.Version, manifest.RollbackIndex, BothSlots));
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
    {
        GoldenImageManifest manifest = Manifest!;
        int index = IndexOf(manifest, partition);
        if (index < _resumeIndex)
        {
            // Installed and read back verified before the cut; the reader still hashes its bytes.
            return ValueTask.FromResult<Stream?>(null);
        }

        string target = TargetName(partition.Name);
        var targets = new List<SlotTarget> { new(target, mode.Board.Partition(target)) };
        if (BothSlots)
        {
            string second = BoardLayout.PartitionName(mode.Board.Config.Profile, partition.Name, SlotNames.Other(InstallSlot!.Value));
            targets.Add(new SlotTarget(second, mode.Board.Partition(second)));
        }

        long resume = index == _resumeIndex ? _resumeBytes : 0;
        mode.Log(RecoveryEventKinds.PartitionInstalling, $"installing {partition.Name} into {string.Join(" and ", targets.Select(t => t.Name))} ({partition.Size} bytes{(resume > 0 ? $", {resume} payload bytes already durable" : "")})",
            e => e with { Slot = SlotNames.Name(InstallSlot!.Value), Partition = target, Bytes = resume });
        _hook = new JournalHook(mode.Journal, Journal with { PartitionIndex = index, DurableBytes = index == _resumeIndex ? _resumeBytes : 0 }, manifest.Partitions.Count);
        _install = SlotInstaller.Begin(targets, partition.Size, new SlotInstallOptions
        {
            ResumePayloadBytes = resume,
            DurableInterval = mode.Options.DurableInterval,
            ExpectedImageSha256 = Convert.FromHexString(partition.Sha256),
            Hook = _hook,
        });
        return ValueTask.FromResult<Stream?>(_install);
    }

    public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
    {
        if (destination is null)
        {
            return ValueTask.CompletedTask;
        }

        SlotWriteStream install = _install!;
        _install = null;
        using (install)
        {
            install.Commit(header.RawBytes.Span);
            mode.AddWritten((partition.Size - install.SkippedPayloadBytes) * (BothSlots ? 2 : 1));
        }

        Journal = _hook!.Journal;
        string target = TargetName(partition.Name);
        string written = BothSlots ? $"{target} and {BoardLayout.PartitionName(mode.Board.Config.Profile, partition.Name, SlotNames.Other(InstallSlot!.Value))}" : target;
        mode.Log(RecoveryEventKinds.PartitionInstalled, $"{written} written and read back verified", e => e with { Slot = SlotNames.Name(InstallSlot!.Value), Partition = target, Bytes = partition.Size });
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends an install the reader abandoned (a bad hash, a source that stopped): its header stays zero.</summary>
    public void Abort()
    {
        if (_hook is not null)
        {
            Journal = _hook.Journal;
        }

        _install?.Dispose();
        _install = null;
    }

    private static int IndexOf(GoldenImageManifest manifest, ManifestPartition partition)
    {
        for (int i = 0; i < manifest.Partitions.Count; i++)
        {
            if (manifest.Partitions[i].Name == partition.Name)
            {
                return i;
            }
        }

        throw new ArgumentException($"partition '{partition.Name}' is not in the manifest", nameof(partition));
    }
}
