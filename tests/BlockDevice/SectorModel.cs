using RecoverySim.BlockDevice.Faults;

namespace RecoverySim.BlockDevice.Tests;

/// <summary>The plain model of a block device: a dictionary of sectors (missing = zeros).</summary>
public sealed class SectorModel(int sectorSize, long sectorCount)
{
    public int SectorSize { get; } = sectorSize;

    public long SectorCount { get; } = sectorCount;

    public Dictionary<long, byte[]> Sectors { get; } = [];

    public List<byte[]> Reads { get; } = [];

    public void Write(long sector, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length / SectorSize; i++)
        {
            Sectors[sector + i] = data.Slice(i * SectorSize, SectorSize).ToArray();
        }
    }

    public void Discard(long sector, long count)
    {
        for (long s = sector; s < sector + count; s++)
        {
            Sectors.Remove(s);
        }
    }

    public byte[] Read(long sector, long count)
    {
        byte[] result = new byte[count * SectorSize];
        for (long i = 0; i < count; i++)
        {
            if (Sectors.TryGetValue(sector + i, out byte[]? data))
            {
                data.CopyTo(result, i * SectorSize);
            }
        }

        return result;
    }

    public bool Matches(IBlockDevice device)
    {
        byte[] sector = new byte[SectorSize];
        for (long s = 0; s < SectorCount; s++)
        {
            device.Read(s, sector);
            byte[] expected = Sectors.TryGetValue(s, out byte[]? data) ? data : new byte[SectorSize];
            if (!sector.AsSpan().SequenceEqual(expected))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"model of {Sectors.Count} written sectors";

    /// <summary>Deterministic sector data for a seed (so generated operations stay small and shrinkable).</summary>
    public static byte[] Data(int seed, long sectors, int sectorSize)
    {
        byte[] data = new byte[sectors * sectorSize];
        new SeededRandom(seed).NextBytes(data);
        return data;
    }
}
