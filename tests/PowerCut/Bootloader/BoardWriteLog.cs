using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Lab.Campaigns;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>
/// The disk and RPMB writes of one run on a <see cref="PowerCutBoard"/>, recorded once, with the
/// order between the two devices: for each RPMB entry, how many disk entries were issued before
/// it. From them, every state a single power cut can leave both devices in, rebuilt as overlays
/// over the starting images: so a cut can land after an RPMB raise but before the disk writes that
/// follow it, or after disk writes but before the raise that follows them.
/// </summary>
public sealed class BoardWriteLog
{
    private readonly PowerCutBoard _start;
    private readonly int[] _diskBefore;

    private BoardWriteLog(PowerCutBoard start, WriteLog disk, WriteLog rpmb, int[] diskBefore)
    {
        _start = start;
        Disk = disk;
        Rpmb = rpmb;
        _diskBefore = diskBefore;
    }

    /// <summary>The disk's writes, flushes and discards.</summary>
    public WriteLog Disk { get; }

    /// <summary>The RPMB's writes and flushes.</summary>
    public WriteLog Rpmb { get; }

    /// <summary>Both devices after the whole run landed.</summary>
    public BoardCrashState Whole => new(CrashState.AfterPrefix(Disk.Count), CrashState.AfterPrefix(Rpmb.Count), false, false);

    /// <summary>Runs <paramref name="operation"/> on <paramref name="start"/> (left unchanged) and records what it wrote.</summary>
    public static BoardWriteLog Record(PowerCutBoard start, Action<Board> operation)
    {
        // The Lab's recording of a board: both logs, and for each RPMB entry the disk log's length when it was issued.
        var recording = new BoardRecording(start.Disk, start.Rpmb);
        using (Board board = start.Open(recording.Disk, recording.Rpmb))
        {
            operation(board);
        }

        return new BoardWriteLog(start, recording.DiskLog, recording.RpmbLog, [.. recording.RpmbAt]);
    }

    /// <summary>
    /// The cuts that interrupt the disk: every crash state of its log (every prefix, up to 16
    /// cache-loss subsets per prefix, every tear), each also with the sector in flight reading
    /// garbage; each with every RPMB prefix the issue order allows (the RPMB writes issued before
    /// the cut, with or without those issued between the last disk entry issued and the next).
    /// </summary>
    public IEnumerable<BoardCrashState> DiskCuts() =>
        from cut in Cuts(Disk)
        from rpmb in Prefixes(RpmbIssuedBefore(cut.State.Prefix, inclusive: false), RpmbIssuedBefore(cut.State.Prefix, inclusive: true), cut.InFlight)
        select new BoardCrashState(cut.State, CrashState.AfterPrefix(rpmb), false, cut.Garbage);

    /// <summary>The cuts that interrupt the RPMB: as <see cref="DiskCuts"/>, the other way round; the disk at every prefix the issue order allows.</summary>
    public IEnumerable<BoardCrashState> RpmbCuts() =>
        from cut in Cuts(Rpmb)
        from disk in Prefixes(cut.State.Prefix == 0 ? 0 : _diskBefore[cut.State.Prefix - 1], cut.State.Prefix == Rpmb.Count ? Disk.Count : _diskBefore[cut.State.Prefix], cut.InFlight)
        select new BoardCrashState(CrashState.AfterPrefix(disk), cut.State, true, cut.Garbage);

    /// <summary>Rebuilds <paramref name="state"/> as copy-on-write overlays over the starting disk and RPMB.</summary>
    public (OverlayBlockDevice Disk, OverlayBlockDevice Rpmb) Open(BoardCrashState state)
    {
        OverlayBlockDevice disk = state.Disk.Open(_start.Disk, Disk);
        OverlayBlockDevice rpmb = state.Rpmb.Open(_start.Rpmb, Rpmb);
        if (state.Garbage)
        {
            (OverlayBlockDevice device, WriteLog log) = state.RpmbCut ? (rpmb, Rpmb) : (disk, Disk);
            int entry = state.Cut.Prefix;
            byte[] garbage = new byte[log.SectorSize];
            new Random(entry).NextBytes(garbage);
            device.Write(log[entry].Sector + Math.Max(state.Cut.TornSectors, 0), garbage);
        }

        return (disk, rpmb);
    }

    /// <summary>Every crash state of <paramref name="log"/>; those with a write in flight also with its next sector torn to garbage.</summary>
    private static IEnumerable<(CrashState State, bool Garbage, bool InFlight)> Cuts(WriteLog log)
    {
        foreach (CrashState state in CrashState.Enumerate(log, seed: 3))
        {
            yield return (state, false, state.IsTorn);
            if (state.Prefix < log.Count && log[state.Prefix].Kind == WriteLogEntryKind.Write)
            {
                yield return (state, true, true);
            }
        }
    }

    /// <summary>RPMB entries issued before disk entry <paramref name="diskEntry"/>; with <paramref name="inclusive"/>, also those issued right after it.</summary>
    private int RpmbIssuedBefore(int diskEntry, bool inclusive) =>
        _diskBefore.Count(d => inclusive ? d <= diskEntry : d < diskEntry);

    /// <summary>Prefixes <paramref name="low"/> to <paramref name="high"/>; only <paramref name="high"/> while the cut device has a write in flight (everything the other device was sent before it was issued).</summary>
    private static IEnumerable<int> Prefixes(int low, int high, bool inFlight) =>
        Enumerable.Range(inFlight ? high : low, (inFlight ? 0 : high - low) + 1);
}
