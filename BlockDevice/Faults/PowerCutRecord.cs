namespace RecoverySim.BlockDevice.Faults;

/// <summary>What the last scheduled power cut of a <see cref="FaultyBlockDevice"/> did to the write it interrupted.</summary>
/// <param name="WriteNumber">1-based number of the interrupted write among all writes the device has seen.</param>
/// <param name="Sector">First sector of the interrupted write.</param>
/// <param name="SectorCount">Sectors the interrupted write addressed.</param>
/// <param name="LandedSectors">Offsets (0-based, within the write, ascending) of the sectors whose new data reached the medium.</param>
/// <param name="GarbageSector">Offset within the write of the sector that got garbage instead, or -1.</param>
public sealed record PowerCutRecord(long WriteNumber, long Sector, long SectorCount, IReadOnlyList<long> LandedSectors, long GarbageSector);
