using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.Recovery.Journal;

namespace RecoverySim.Recovery;

/// <summary>The first read of a re-readable source: the reader verifies everything, this checks the fit, nothing is written.</summary>
internal sealed class CheckSink(RecoveryMode mode) : GoldenImageSink
{
    public GoldenImageManifest? Manifest { get; private set; }

    public override ValueTask OnManifestVerifiedAsync(GoldenImageManifest manifest, CancellationToken cancel)
    {
        GoldenImageFit.Check(mode.Board, manifest, [mode.InstallCandidates(RecoveryJournalRecord.Idle)[0]]);
        Manifest = manifest;
        return ValueTask.CompletedTask;
    }
}
