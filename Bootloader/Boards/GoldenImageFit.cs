using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.GoldenImage.Bundle;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// What a golden image must be to be written to a board, whoever writes it (factory flash,
/// recovery mode): signed by a key of its fuses, for its board id, no older than the rollback
/// indexes it stores (the reader checks those, from <see cref="ReadOptions"/>), and with boot,
/// system and vendor and nothing else, each fitting its partition (<see cref="Check"/>).
/// </summary>
public static class GoldenImageFit
{
    /// <summary>The reader's options for <paramref name="board"/>: its trusted keys, its board id, and the highest rollback index it stores as the minimum.</summary>
    public static GoldenImageReadOptions ReadOptions(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        RollbackIndexes stored = board.Rpmb.Read();
        return new GoldenImageReadOptions(board.TrustedKeys())
        {
            BoardId = board.Config.BoardId,
            MinimumRollbackIndex = BoardLayout.SlotPartitionKinds.Max(kind => stored[BoardLayout.RollbackLocation(kind)]),
        };
    }

    /// <summary>
    /// Throws <see cref="BoardException"/>, naming the partition, unless <paramref name="manifest"/>
    /// has boot, system and vendor, nothing else, and each fits its partition in every one of <paramref name="slots"/>.
    /// </summary>
    public static void Check(Board board, GoldenImageManifest manifest, IEnumerable<Slot> slots)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(slots);
        foreach (string kind in BoardLayout.SlotPartitionKinds)
        {
            if (manifest.Find(kind) is null)
            {
                throw new BoardException($"golden image has no '{kind}' partition (a board needs boot, system and vendor)");
            }
        }

        Slot[] targets = [.. slots];
        foreach (ManifestPartition partition in manifest.Partitions)
        {
            if (!BoardLayout.SlotPartitionKinds.Contains(partition.Name))
            {
                throw new BoardException($"golden image partition '{partition.Name}' is not a slot partition of this board (boot, system, vendor)");
            }

            foreach (Slot slot in targets)
            {
                string target = BoardLayout.PartitionName(board.Config.Profile, partition.Name, slot);
                long capacity = board.Partition(target).SectorCount * board.Partition(target).SectorSize;
                if (partition.Size > capacity)
                {
                    throw new BoardException($"golden image partition '{partition.Name}' is {partition.Size} bytes; partition '{target}' holds {capacity}");
                }
            }
        }
    }
}
