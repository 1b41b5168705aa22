using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// One recorded run of a board over a disk and an RPMB that stay as they are: every write goes
/// into a copy-on-write overlay and into a write log per device, and each RPMB write notes how
/// long the disk log was when it was issued. <see cref="Rebuild"/> then gives the devices as a
/// power cut at any <see cref="BoardCut"/> of the run would have left them, in O(1), over the same
/// bases.
/// </summary>
public sealed class BoardRecording
{
    private readonly IBlockDevice _diskBase;
    private readonly IBlockDevice _rpmbBase;
    private readonly RecordingBlockDevice _disk;
    private readonly RecordingBlockDevice _rpmb;
    private readonly List<int> _rpmbAt = [];

    /// <summary>A recording over <paramref name="disk"/> and <paramref name="rpmb"/>, which are only read.</summary>
    public BoardRecording(IBlockDevice disk, IBlockDevice rpmb)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(rpmb);
        _diskBase = disk;
        _rpmbBase = rpmb;
        _disk = new RecordingBlockDevice(new OverlayBlockDevice(disk));
        _rpmb = new RecordingBlockDevice(new OverlayBlockDevice(rpmb));
        Rpmb = new SequencedDevice(this);
    }

    /// <summary>The disk to run on.</summary>
    public IBlockDevice Disk => _disk;

    /// <summary>The RPMB to run on.</summary>
    public IBlockDevice Rpmb { get; }

    /// <summary>The disk's write log so far.</summary>
    public WriteLog DiskLog => _disk.Log;

    /// <summary>The RPMB's write log so far.</summary>
    public WriteLog RpmbLog => _rpmb.Log;

    /// <summary>For each RPMB log entry, the disk log's length when it was issued.</summary>
    public IReadOnlyList<int> RpmbAt => _rpmbAt;

    /// <summary>RPMB entries issued when the disk log had exactly <paramref name="prefix"/> entries.</summary>
    public int RpmbWritesAt(int prefix)
    {
        int n = 0;
        foreach (int at in _rpmbAt)
        {
            n += at == prefix ? 1 : 0;
        }

        return n;
    }

    /// <summary>
    /// The disk and RPMB as <paramref name="cut"/> leaves them: overlays over the bases (writes to
    /// them stay in the overlays).
    /// </summary>
    /// <exception cref="ArgumentException">The cut does not fit this recording.</exception>
    public (OverlayBlockDevice Disk, OverlayBlockDevice Rpmb) Rebuild(BoardCut cut)
    {
        int prefix = cut.Disk.Prefix;
        int before = 0;
        foreach (int at in _rpmbAt)
        {
            before += at < prefix ? 1 : 0;
        }

        if (cut.ExtraRpmb < 0 || cut.ExtraRpmb > RpmbWritesAt(prefix))
        {
            throw new ArgumentException($"crash id {cut}: {RpmbWritesAt(prefix)} RPMB writes were issued at disk entry {prefix}, not {cut.ExtraRpmb}", nameof(cut));
        }

        OverlayBlockDevice disk = cut.Disk.Open(_diskBase, DiskLog);
        OverlayBlockDevice rpmb = CrashState.AfterPrefix(before + cut.ExtraRpmb).Open(_rpmbBase, RpmbLog);
        return (disk, rpmb);
    }

    /// <summary>The RPMB seen by the run: notes the disk log's length, then records the write.</summary>
    private sealed class SequencedDevice(BoardRecording recording) : IBlockDevice
    {
        public int SectorSize => recording._rpmb.SectorSize;

        public long SectorCount => recording._rpmb.SectorCount;

        public void Read(long sector, Span<byte> buffer) => recording._rpmb.Read(sector, buffer);

        public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
        {
            int before = recording.RpmbLog.Count;
            recording._rpmb.Write(sector, data, flags);
            Noted(before);
        }

        public void Flush()
        {
            int before = recording.RpmbLog.Count;
            recording._rpmb.Flush();
            Noted(before);
        }

        public void Discard(long sector, long count)
        {
            int before = recording.RpmbLog.Count;
            recording._rpmb.Discard(sector, count);
            Noted(before);
        }

        /// <summary>Notes the disk log's length for each RPMB entry recorded since <paramref name="before"/>.</summary>
        private void Noted(int before)
        {
            for (int i = before; i < recording.RpmbLog.Count; i++)
            {
                recording._rpmbAt.Add(recording.DiskLog.Count);
            }
        }

        public void Dispose()
        {
        }
    }
}
