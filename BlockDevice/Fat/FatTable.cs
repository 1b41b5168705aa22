using System.Buffers.Binary;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// Reads entries of the FAT copies of one volume through a small cache of 64 KiB windows (so a
/// chain walk does a few large reads, not one per entry). A window that fails to read is read
/// again sector by sector, and only the sectors that still fail (<see cref="MediumException"/>)
/// make their entries unreadable in that copy.
/// </summary>
internal sealed class FatTable
{
    /// <summary>Bytes of one cached window of a FAT copy.</summary>
    public const int WindowBytes = 64 << 10;

    /// <summary>Windows kept before the cache is emptied (2 MiB with two copies).</summary>
    public const int MaxCachedWindows = 32;

    private readonly IBlockDevice _device;
    private readonly FatBootSector _boot;
    private readonly long _fatBytes;
    private readonly int _deviceSectorsPerFatSector;
    private readonly Dictionary<(int Copy, long Window), Window> _cache = [];

    public FatTable(IBlockDevice device, FatBootSector boot)
    {
        _device = device;
        _boot = boot;
        Type = boot.Type;
        _fatBytes = boot.FatSectors * boot.BytesPerSector;
        _deviceSectorsPerFatSector = boot.BytesPerSector / device.SectorSize;
        bool mirrored = (boot.ExtendedFlags & FatBootSector.MirroringDisabledFlag) == 0 || !boot.IsFat32Layout;
        Copies = mirrored ? [.. Enumerable.Range(0, boot.NumberOfFats)] : [boot.ExtendedFlags & 0x0F];
    }

    /// <summary>The FAT type of the volume.</summary>
    public FatType Type { get; }

    /// <summary>
    /// The FAT copies to use, in order of preference: FAT #1 then FAT #2 when mirrored (the
    /// default); only the active copy when FAT32 mirroring is disabled (BPB_ExtFlags bit 7).
    /// </summary>
    public int[] Copies { get; }

    /// <summary>The highest cluster number of the volume.</summary>
    public long MaxCluster => _boot.MaxCluster;

    /// <summary>Reads the entry of <paramref name="cluster"/> in FAT copy <paramref name="copy"/>; false (with the error) when its sector cannot be read.</summary>
    public bool TryRead(int copy, uint cluster, out uint value, out MediumException? error)
    {
        value = 0;
        long offset = Type switch
        {
            FatType.Fat12 => cluster + (cluster / 2),
            FatType.Fat16 => cluster * 2L,
            _ => cluster * 4L,
        };
        int width = Type == FatType.Fat32 ? 4 : 2;
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < width; i++)
        {
            if (!TryReadByte(copy, offset + i, out bytes[i], out error))
            {
                return false;
            }
        }

        uint raw = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        value = Type switch
        {
            // fatgen103 section 4: a FAT12 entry is the low 12 bits of the word at n + n/2 for even n, the high 12 for odd n.
            FatType.Fat12 => (cluster & 1) == 0 ? raw & 0x0FFF : (raw & 0xFFFF) >> 4,
            FatType.Fat16 => raw & 0xFFFF,
            _ => raw & 0x0FFFFFFF, // the high 4 bits are reserved
        };
        error = null;
        return true;
    }

    /// <summary>Drops the cached windows.</summary>
    public void ClearCache() => _cache.Clear();

    /// <summary>What <paramref name="value"/> means as a FAT entry on this volume.</summary>
    public FatEntryKind Classify(uint value)
    {
        (uint bad, uint end) = Type switch
        {
            FatType.Fat12 => (0xFF7u, 0xFF8u),
            FatType.Fat16 => (0xFFF7u, 0xFFF8u),
            _ => (0x0FFFFFF7u, 0x0FFFFFF8u),
        };
        return value switch
        {
            0 => FatEntryKind.Free,
            1 => FatEntryKind.Reserved,
            _ when value >= end => FatEntryKind.EndOfChain,
            _ when value == bad => FatEntryKind.Bad,
            _ when value > MaxCluster => FatEntryKind.PastEnd,
            _ => FatEntryKind.Next,
        };
    }

    private bool TryReadByte(int copy, long offset, out byte value, out MediumException? error)
    {
        long index = offset / WindowBytes;
        int within = (int)(offset % WindowBytes);
        if (!_cache.TryGetValue((copy, index), out Window? window))
        {
            if (_cache.Count >= MaxCachedWindows)
            {
                _cache.Clear();
            }

            window = Load(copy, index);
            _cache[(copy, index)] = window;
        }

        int sector = within / _device.SectorSize;
        if (window.Errors?[sector] is MediumException failed)
        {
            value = 0;
            error = failed;
            return false;
        }

        value = window.Data[within];
        error = null;
        return true;
    }

    private Window Load(int copy, long index)
    {
        long start = index * WindowBytes;
        int length = (int)Math.Min(WindowBytes, _fatBytes - start);
        byte[] data = new byte[length];
        long firstSector = (_boot.ReservedSectors + (copy * _boot.FatSectors)) * _deviceSectorsPerFatSector + (start / _device.SectorSize);
        try
        {
            _device.Read(firstSector, data);
            return new Window(data, null);
        }
        catch (MediumException)
        {
            // Find out which sectors are bad, so one bad sector costs only its own entries.
            int sectorSize = _device.SectorSize;
            var errors = new MediumException?[length / sectorSize];
            for (int i = 0; i < errors.Length; i++)
            {
                try
                {
                    _device.Read(firstSector + i, data.AsSpan(i * sectorSize, sectorSize));
                }
                catch (MediumException e)
                {
                    errors[i] = e;
                }
            }

            return new Window(data, errors);
        }
    }

    private sealed record Window(byte[] Data, MediumException?[]? Errors);
}
