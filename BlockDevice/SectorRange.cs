namespace RecoverySim.BlockDevice;

/// <summary>Argument checks shared by every device: the caller-bug half of the <see cref="IBlockDevice"/> contract.</summary>
internal static class SectorRange
{
    /// <summary>
    /// Throws when <paramref name="byteLength"/> is not a whole number of sectors or the range
    /// [<paramref name="sector"/>, sector + length / SectorSize) is not inside the device.
    /// Returns the number of sectors addressed.
    /// </summary>
    public static long Check(IBlockDevice device, long sector, int byteLength)
    {
        int sectorSize = device.SectorSize;
        if (byteLength % sectorSize != 0)
        {
            throw new ArgumentException($"buffer length {byteLength} is not a multiple of the sector size {sectorSize}", "buffer");
        }

        long count = byteLength / sectorSize;
        CheckCount(device, sector, count);
        return count;
    }

    /// <summary>Throws when [<paramref name="sector"/>, sector + <paramref name="count"/>) is not inside the device.</summary>
    public static void CheckCount(IBlockDevice device, long sector, long count)
    {
        if (sector < 0 || count < 0 || sector > device.SectorCount || count > device.SectorCount - sector)
        {
            throw new ArgumentOutOfRangeException(nameof(sector),
                $"sectors [{sector}, {sector}+{count}) are outside the device of {device.SectorCount} sectors");
        }
    }

    /// <summary>Throws unless <paramref name="sectorSize"/> is a power of two of at least 512.</summary>
    public static void CheckSectorSize(int sectorSize)
    {
        if (sectorSize < 512 || (sectorSize & (sectorSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorSize), $"sector size {sectorSize} is not a power of two of at least 512");
        }
    }
}
