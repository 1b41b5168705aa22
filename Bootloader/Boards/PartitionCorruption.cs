using RecoverySim.BlockDevice;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Deliberate damage to one partition of a board (<c>board corrupt</c>, scenarios): a damaged
/// header, a byte range inverted, seeded random bit flips, or the whole partition erased. Each
/// returns one line saying what it did. Every write is flushed.
/// </summary>
public static class PartitionCorruption
{
    /// <summary>Most bit flips in one call.</summary>
    public const int MaxBitFlips = 1_000_000;

    /// <summary>Offset of the header bytes <see cref="DamageHeader"/> inverts: right after the 8-byte magic, inside the CRC-covered fields.</summary>
    public const int HeaderDamageOffset = 8;

    /// <summary>
    /// Inverts four bytes right after the header magic of a slot partition, so the header CRC
    /// (and the format version) no longer match: the bootloader rejects it as <c>header-invalid</c>.
    /// </summary>
    public static string DamageHeader(Board board, string partition)
    {
        ArgumentNullException.ThrowIfNull(board);
        if (!BoardLayout.SlotPartitionKinds.Contains(BoardLayout.KindOf(partition)) || partition == BoardLayout.Misc)
        {
            throw new BoardException($"header damage applies to slot partitions (boot, system, vendor); '{partition}' has no partition header");
        }

        Invert(board.Partition(partition), HeaderDamageOffset, 4);
        return $"{partition}: header bytes {HeaderDamageOffset}..{HeaderDamageOffset + 3} inverted";
    }

    /// <summary>Inverts <paramref name="length"/> bytes from byte <paramref name="offset"/> of <paramref name="partition"/>.</summary>
    public static string InvertRange(Board board, string partition, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(board);
        IBlockDevice device = board.Partition(partition);
        long size = device.SectorCount * device.SectorSize;
        if (offset < 0 || length < 1 || offset >= size || length > size - offset)
        {
            throw new BoardException($"offset {offset}, length {length}: outside partition '{partition}' of {size} bytes (offset 0 to {size - 1}, length at least 1)");
        }

        Invert(device, offset, length);
        return $"{partition}: {length} byte(s) from offset {offset} inverted";
    }

    /// <summary>
    /// Flips <paramref name="count"/> bits chosen by <paramref name="seed"/> inside the partition
    /// image (header and payload, as its header says) or, when no header parses, anywhere in the partition.
    /// </summary>
    public static string FlipBits(Board board, string partition, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(board);
        if (count is < 1 or > MaxBitFlips)
        {
            throw new BoardException($"bit flips {count}: expected 1 to {MaxBitFlips}");
        }

        IBlockDevice device = board.Partition(partition);
        long size = device.SectorCount * device.SectorSize;
        long span = size;
        if (size >= PartitionHeader.Size)
        {
            byte[] header = new byte[PartitionHeader.Size];
            device.Read(0, header);
            if (PartitionHeader.TryParse(header, out PartitionHeader parsed) && parsed.PayloadLength <= (ulong)(size - PartitionHeader.Size))
            {
                span = PartitionHeader.Size + (long)parsed.PayloadLength;
            }
        }

        var random = new Random(seed);
        byte[] sector = new byte[device.SectorSize];
        for (int i = 0; i < count; i++)
        {
            long bit = random.NextInt64(span * 8);
            long at = bit / 8 / device.SectorSize;
            device.Read(at, sector);
            sector[(int)(bit / 8 % device.SectorSize)] ^= (byte)(1 << (int)(bit % 8));
            device.Write(at, sector);
        }

        device.Flush();
        return $"{partition}: {count} bit(s) flipped in the first {span} bytes (seed {seed})";
    }

    /// <summary>Erases the whole partition: it reads back as zeros.</summary>
    public static string Erase(Board board, string partition)
    {
        ArgumentNullException.ThrowIfNull(board);
        IBlockDevice device = board.Partition(partition);
        device.Discard(0, device.SectorCount);
        device.Flush();
        return $"{partition}: erased ({device.SectorCount * device.SectorSize} bytes)";
    }

    private static void Invert(IBlockDevice device, long offset, long length)
    {
        int sectorSize = device.SectorSize;
        long first = offset / sectorSize;
        long last = (offset + length - 1) / sectorSize;
        byte[] sector = new byte[sectorSize];
        for (long s = first; s <= last; s++)
        {
            device.Read(s, sector);
            long start = Math.Max(offset, s * sectorSize);
            long end = Math.Min(offset + length, (s + 1) * sectorSize);
            for (long b = start; b < end; b++)
            {
                sector[(int)(b - s * sectorSize)] ^= 0xFF;
            }

            device.Write(s, sector);
        }

        device.Flush();
    }
}
