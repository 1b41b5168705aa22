using System.Buffers;

namespace RecoverySim.BlockDevice;

/// <summary>Whole-device copies (used to snapshot images and by the naive crash-state replay the overlays are measured against).</summary>
public static class BlockDeviceCopy
{
    /// <summary>Bytes moved per read/write pair.</summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Copies every sector of <paramref name="source"/> to the same sector of <paramref name="target"/>,
    /// which must have the same sector size and at least as many sectors. Does not flush.
    /// </summary>
    public static void Copy(IBlockDevice source, IBlockDevice target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.SectorSize != target.SectorSize)
        {
            throw new ArgumentException($"sector sizes differ: source {source.SectorSize}, target {target.SectorSize}", nameof(target));
        }

        if (target.SectorCount < source.SectorCount)
        {
            throw new ArgumentException($"target has {target.SectorCount} sectors, fewer than the source's {source.SectorCount}", nameof(target));
        }

        int sectorsPerChunk = Math.Max(1, ChunkBytes / source.SectorSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(sectorsPerChunk * source.SectorSize);
        try
        {
            for (long sector = 0; sector < source.SectorCount; sector += sectorsPerChunk)
            {
                int n = (int)Math.Min(sectorsPerChunk, source.SectorCount - sector);
                Span<byte> span = buffer.AsSpan(0, n * source.SectorSize);
                source.Read(sector, span);
                target.Write(sector, span);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
