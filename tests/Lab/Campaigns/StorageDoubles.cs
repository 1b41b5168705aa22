using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Lab.Tests.Campaigns;

/// <summary>
/// Buggy storage stacks to put under a campaign, to prove it can fail (the issue: "a test double
/// that swaps two writes of the boot control block update, and one that skips the journal flush
/// in recovery, is caught"). Each wraps the board's disk fresh for every board opened.
/// </summary>
public static class StorageDoubles
{
    /// <summary>
    /// The A/B install's boot-control update lands on the wrong slot records: the write that marks
    /// the target slot unbootable before its first byte has slots a and b swapped, so the running
    /// slot is given up instead and the half-written one keeps its bootable state.
    /// </summary>
    public static Func<IBlockDevice, IBlockDevice> SwappedUpdateMark(ScenarioBench bench)
    {
        long misc = FirstLba(bench, BoardLayout.Misc);
        long[] copies = [misc + MiscLayout.BootControlCopy0Offset / Board.SectorSize, misc + MiscLayout.BootControlCopy1Offset / Board.SectorSize];
        return disk => new Rewriting(disk, (sector, data) =>
        {
            if (!copies.Contains(sector) || data.Length != BootControlBlock.Size || !BootControlBlock.TryParse(data, out BootControlBlock block))
            {
                return null;
            }

            bool updateMark = !block.Recovery.IsRequested && block.SlotB.Unbootable == UnbootableReason.Requested && block.SlotA.IsBootable;
            if (!updateMark)
            {
                return null;
            }

            byte[] swapped = new byte[BootControlBlock.Size];
            (block with { SlotA = block.SlotB, SlotB = block.SlotA }).WriteTo(swapped);
            return swapped;
        });
    }

    /// <summary>
    /// The recovery journal's flush is skipped, and the device's cache lets the journal overtake
    /// what it records: a partition header written by the slot installer stays in the cache (reads
    /// see it) and reaches the medium only after the next journal write. So a cut can leave the
    /// journal saying "partition installed" over a partition whose header never landed.
    /// </summary>
    public static Func<IBlockDevice, IBlockDevice> JournalOvertakesHeaders(ScenarioBench bench)
    {
        long misc = FirstLba(bench, BoardLayout.Misc);
        long journalFirst = misc + MiscLayout.RecoveryJournalOffset / Board.SectorSize;
        long journalEnd = journalFirst + MiscLayout.RecoveryJournalSize / Board.SectorSize;
        long[] headers = BoardLayout.Partitions(bench.Config.Profile)
            .Where(p => p != BoardLayout.Misc && p != BoardLayout.Userdata).Select(p => FirstLba(bench, p)).ToArray();
        return disk => new HoldingHeaders(disk, headers, journalFirst, journalEnd);
    }

    private static long FirstLba(ScenarioBench bench, string partition)
    {
        using Board board = bench.Open(bench.Disk, bench.Rpmb);
        return board.PartitionEntry(partition).FirstLba;
    }

    /// <summary>Rewrites single writes that <paramref name="rewrite"/> picks; passes everything else through.</summary>
    private sealed class Rewriting(IBlockDevice inner, Func<long, byte[], byte[]?> rewrite) : IBlockDevice
    {
        public int SectorSize => inner.SectorSize;

        public long SectorCount => inner.SectorCount;

        public void Read(long sector, Span<byte> buffer) => inner.Read(sector, buffer);

        public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None) =>
            inner.Write(sector, rewrite(sector, data.ToArray()) ?? data, flags);

        public void Flush() => inner.Flush();

        public void Discard(long sector, long count) => inner.Discard(sector, count);

        public void Dispose()
        {
        }
    }

    /// <summary>Holds non-zero header writes in a cache that reads see; releases them after the next journal write (and drops the journal's flush).</summary>
    private sealed class HoldingHeaders(IBlockDevice inner, long[] headers, long journalFirst, long journalEnd) : IBlockDevice
    {
        private readonly List<(long Sector, byte[] Data)> _held = [];
        private bool _skipFlush;

        public int SectorSize => inner.SectorSize;

        public long SectorCount => inner.SectorCount;

        public void Read(long sector, Span<byte> buffer)
        {
            inner.Read(sector, buffer);
            long count = buffer.Length / SectorSize;
            foreach ((long at, byte[] data) in _held)
            {
                for (long s = 0; s < data.Length / SectorSize; s++)
                {
                    long target = at + s;
                    if (target >= sector && target < sector + count)
                    {
                        data.AsSpan((int)(s * SectorSize), SectorSize).CopyTo(buffer[(int)((target - sector) * SectorSize)..]);
                    }
                }
            }
        }

        public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
        {
            if (headers.Contains(sector) && data.Length == PartitionHeader.Size && data.ContainsAnyExcept((byte)0))
            {
                _held.Add((sector, data.ToArray()));
                return;
            }

            inner.Write(sector, data, flags);
            if (sector >= journalFirst && sector < journalEnd)
            {
                foreach ((long at, byte[] held) in _held)
                {
                    inner.Write(at, held);
                }

                _held.Clear();
                _skipFlush = true;
            }
        }

        public void Flush()
        {
            if (_skipFlush)
            {
                _skipFlush = false;
                return;
            }

            inner.Flush();
        }

        public void Discard(long sector, long count) => inner.Discard(sector, count);

        public void Dispose()
        {
        }
    }
}
