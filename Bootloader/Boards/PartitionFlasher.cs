using System.Buffers;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Writes partition images (header + payload) into a board's slot partitions: the factory
/// flash of <c>board flash</c>, and the tool tests use to set up boards.
/// </summary>
/// <remarks>
/// Order of writes per partition: the header sector is zeroed first, then the payload is
/// written after the header region, then the header, then a flush. Until the header lands the
/// partition holds no valid header, so a cut anywhere leaves either the old image (cut before
/// the zeroing) or a partition the bootloader rejects, never a header over someone else's payload.
/// </remarks>
public static class PartitionFlasher
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Streams one partition image of <paramref name="imageLength"/> bytes from
    /// <paramref name="image"/> into <paramref name="partitions"/> at once (the same kind in each
    /// slot), reading the source once. Returns the header written. Throws
    /// <see cref="BoardException"/> when the image does not fit or its header does not parse.
    /// </summary>
    public static PartitionHeader Flash(Board board, IReadOnlyList<string> partitions, Stream image, long imageLength)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(image);
        if (imageLength < PartitionHeader.Size)
        {
            throw new BoardException($"a partition image is at least {PartitionHeader.Size} bytes (its header), got {imageLength}");
        }

        IBlockDevice[] devices = partitions.Select(board.Partition).ToArray();
        foreach (IBlockDevice device in devices)
        {
            long capacity = device.SectorCount * device.SectorSize;
            if (imageLength > capacity)
            {
                throw new BoardException($"image of {imageLength} bytes does not fit partition '{partitions[Array.IndexOf(devices, device)]}' of {capacity} bytes");
            }
        }

        byte[] header = new byte[PartitionHeader.Size];
        image.ReadExactly(header);
        PartitionHeader parsed;
        try
        {
            parsed = PartitionHeader.Parse(header);
        }
        catch (ImageFormatException e)
        {
            throw new BoardException($"partition image for {string.Join(", ", partitions)}: {e.Message}", e);
        }

        byte[] zero = new byte[PartitionHeader.Size];
        foreach (IBlockDevice device in devices)
        {
            device.Write(0, zero);
        }

        var streams = devices.Select(d => new BlockDeviceStream(d, PartitionHeader.Size, imageLength - PartitionHeader.Size)).ToArray();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long left = imageLength - PartitionHeader.Size;
            while (left > 0)
            {
                int n = image.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new BoardException($"partition image for {string.Join(", ", partitions)} ended {left} bytes early");
                }

                foreach (BlockDeviceStream stream in streams)
                {
                    stream.Write(buffer, 0, n);
                }

                left -= n;
            }

            foreach (BlockDeviceStream stream in streams)
            {
                stream.Flush();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (BlockDeviceStream stream in streams)
            {
                stream.Dispose();
            }
        }

        foreach (IBlockDevice device in devices)
        {
            device.Write(0, header);
            device.Flush();
        }

        return parsed;
    }

    /// <summary>
    /// Ends a factory flash: the boot control block back to the factory state (slot a first,
    /// full tries, nothing successful, no recovery request), written to both copies.
    /// </summary>
    public static void ResetBootControl(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        board.Control.Initialize(BootControlBlock.Factory(board.Config.Limits.MaxTries), board.Control.HighestSequence());
    }
}
