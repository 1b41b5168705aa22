using System.Buffers;
using System.Security.Cryptography;
using RecoverySim.BlockDevice;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// SHA-256 of a byte range of a device, read in 1 MiB runs of whole sectors straight into one
/// pooled buffer: the bootloader's payload check, one pass, no copies beyond the device read.
/// </summary>
internal static class PayloadHash
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Hashes <paramref name="length"/> bytes from byte <paramref name="offset"/> (a sector boundary) of <paramref name="device"/>.</summary>
    public static byte[] Compute(IBlockDevice device, long offset, long length)
    {
        int sectorSize = device.SectorSize;
        if (offset % sectorSize != 0 || length < 0 || offset + length > device.SectorCount * sectorSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"bytes [{offset}, {offset}+{length}) are not a sector-aligned range of the device");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int chunk = Math.Max(ChunkBytes / sectorSize, 1) * sectorSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            long sector = offset / sectorSize;
            long left = length;
            while (left > 0)
            {
                int bytes = (int)Math.Min(chunk, left);
                int whole = (bytes + sectorSize - 1) / sectorSize * sectorSize;
                device.Read(sector, buffer.AsSpan(0, whole));
                hash.AppendData(buffer, 0, bytes);
                sector += whole / sectorSize;
                left -= bytes;
            }

            return hash.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
