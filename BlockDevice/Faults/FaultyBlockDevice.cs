namespace RecoverySim.BlockDevice.Faults;

/// <summary>
/// A fault-injecting decorator over any device, seeded and deterministic: the same seed, the
/// same configuration and the same calls give the same faults, every run.
/// </summary>
/// <remarks>
/// <para>Faults it injects:</para>
/// <list type="bullet">
/// <item>Power cuts: <see cref="CutAfterWrites"/> lets <c>n</c> more writes complete and cuts power
/// during the next one, which lands per <see cref="TornWrites"/> (or exactly up to a byte offset),
/// optionally with one garbage sector (<see cref="GarbageOnTear"/>); <see cref="CutNow"/> cuts at once.
/// After a cut every operation throws <see cref="PowerLossException"/> until <see cref="PowerOn"/>.</item>
/// <item>A volatile write cache (constructor flag): writes that are not
/// <see cref="WriteFlags.ForceUnitAccess"/> stay in the cache until <see cref="Flush"/>; reads see
/// them; at a cut they are lost, kept, or kept as a seeded subset (<see cref="CacheLoss"/>), which
/// is also how reordering between flushes shows. FUA writes reach the medium at once and
/// supersede cached data of the same sectors.</item>
/// <item>Reads: bit flips at <see cref="BitFlipRate"/> per bit, rising by <see cref="BitFlipRateGrowth"/>
/// after every read (wear); read errors at <see cref="ReadErrorRate"/> per read; bad sectors
/// (<see cref="AddBadSectors"/>) that fail reads and writes.</item>
/// <item>Write-protected ranges (<see cref="ProtectRange"/>) that fail writes or silently ignore them.</item>
/// </list>
/// <para>Usage in a campaign: <c>var disk = new FaultyBlockDevice(new MemoryBlockDevice(n), seed);
/// disk.CutAfterWrites(k); try { Update(disk); } catch (PowerLossException) { } disk.PowerOn();
/// Check(disk);</c>. <see cref="Stats"/> counts writes, so a first clean run tells how many cut
/// points an operation has.</para>
/// </remarks>
public sealed class FaultyBlockDevice : IBlockDevice
{
    private const int MaxBadSectors = 1 << 20;

    private readonly IBlockDevice _inner;
    private readonly SeededRandom _random;
    private readonly bool _leaveOpen;
    private readonly List<CachedSector> _pending = [];
    private readonly Dictionary<long, CachedSector> _cacheView = [];
    private readonly HashSet<long> _badSectors = [];
    private readonly List<(long Start, long Count, WriteProtectMode Mode)> _protected = [];
    private long? _writesUntilCut;
    private long? _operationsUntilCut;
    private int? _cutAtByte;
    private int _nextWriteId;

    /// <summary>Wraps <paramref name="inner"/>, which holds the durable content (the medium).</summary>
    /// <param name="inner">The medium.</param>
    /// <param name="seed">Seeds every random decision (torn sectors, cache subsets, garbage, bit flips, read errors).</param>
    /// <param name="volatileCache">Simulate a volatile write cache in front of the medium.</param>
    /// <param name="leaveOpen">Do not dispose <paramref name="inner"/> with this device.</param>
    public FaultyBlockDevice(IBlockDevice inner, long seed, bool volatileCache = false, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _random = new SeededRandom(seed);
        _leaveOpen = leaveOpen;
        Seed = seed;
        VolatileCache = volatileCache;
    }

    /// <summary>The medium: what survives a power cut.</summary>
    public IBlockDevice Inner => _inner;

    /// <summary>The seed given at construction.</summary>
    public long Seed { get; }

    /// <summary>True when the device simulates a volatile write cache.</summary>
    public bool VolatileCache { get; }

    /// <summary>False from a power cut until <see cref="PowerOn"/>.</summary>
    public bool IsPowered { get; private set; } = true;

    /// <summary>Counters of everything seen so far.</summary>
    public FaultStats Stats { get; } = new();

    /// <summary>What the last scheduled cut did to the write it interrupted, or null (none yet, or the last cut interrupted a flush or discard).</summary>
    public PowerCutRecord? LastCut { get; private set; }

    /// <summary>Writes still allowed to complete before a cut scheduled by <see cref="CutAfterWrites"/>, or null.</summary>
    public long? WritesUntilCut => _writesUntilCut;

    /// <summary>What the interrupted write lands (default <see cref="TornWriteMode.Nothing"/>).</summary>
    public TornWriteMode TornWrites { get; set; } = TornWriteMode.Nothing;

    /// <summary>When a cut tears a write, one sector it did not land gets random bytes instead of keeping its old content.</summary>
    public bool GarbageOnTear { get; set; }

    /// <summary>What a cut does to cached writes (only with <see cref="VolatileCache"/>; default <see cref="CacheLossMode.LoseAll"/>).</summary>
    public CacheLossMode CacheLoss { get; set; } = CacheLossMode.LoseAll;

    /// <summary>Probability that each bit read is flipped, in [0, 1]. Default 0.</summary>
    public double BitFlipRate { get; set; }

    /// <summary>Added to <see cref="BitFlipRate"/> after every read: the medium wears. Default 0.</summary>
    public double BitFlipRateGrowth { get; set; }

    /// <summary>Probability that a read fails with a <see cref="MediumException"/>, in [0, 1]. Default 0.</summary>
    public double ReadErrorRate { get; set; }

    /// <summary>Sectors currently held in the volatile cache (written, not yet on the medium).</summary>
    public int CachedSectorCount => _cacheView.Count;

    /// <inheritdoc />
    public int SectorSize => _inner.SectorSize;

    /// <inheritdoc />
    public long SectorCount => _inner.SectorCount;

    /// <summary>
    /// Schedules a power cut: the next <paramref name="writes"/> writes complete, and the one after
    /// is interrupted (0 cuts the very next write). With <paramref name="atByte"/> the interrupted
    /// write lands exactly its sectors wholly before that byte offset within it (the sector holding
    /// the offset gets garbage when <see cref="GarbageOnTear"/> is set), instead of following
    /// <see cref="TornWrites"/>.
    /// </summary>
    public void CutAfterWrites(long writes, int? atByte = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writes);
        if (atByte is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(atByte), $"byte offset {atByte} is negative");
        }

        CancelCut();
        _writesUntilCut = writes;
        _cutAtByte = atByte;
    }

    /// <summary>
    /// Schedules a power cut counted in operations that change the medium (writes, flushes and
    /// discards): the next <paramref name="operations"/> complete and the one after is
    /// interrupted. An interrupted write lands per <see cref="TornWrites"/>; an interrupted flush or
    /// discard does not happen (the cache is resolved per <see cref="CacheLoss"/>). This reaches
    /// the cut points <see cref="CutAfterWrites"/> cannot: just before each flush.
    /// </summary>
    public void CutAfterOperations(long operations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operations);
        CancelCut();
        _operationsUntilCut = operations;
    }

    /// <summary>Cancels a scheduled cut.</summary>
    public void CancelCut()
    {
        _writesUntilCut = null;
        _operationsUntilCut = null;
        _cutAtByte = null;
    }

    /// <summary>Cuts power now: the cache is resolved per <see cref="CacheLoss"/>, and every operation fails until <see cref="PowerOn"/>.</summary>
    public void CutNow()
    {
        if (!IsPowered)
        {
            return;
        }

        ResolveCacheAtCut();
        IsPowered = false;
        Stats.PowerCuts++;
    }

    /// <summary>Restores power: the device works again, with whatever content the medium kept. Cancels any scheduled cut.</summary>
    public void PowerOn()
    {
        IsPowered = true;
        CancelCut();
    }

    /// <summary>Marks <paramref name="count"/> sectors from <paramref name="sector"/> bad: reads and writes touching them fail.</summary>
    public void AddBadSectors(long sector, long count = 1)
    {
        SectorRange.CheckCount(this, sector, count);
        if (_badSectors.Count + count > MaxBadSectors)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"more than {MaxBadSectors} bad sectors");
        }

        for (long s = sector; s < sector + count; s++)
        {
            _badSectors.Add(s);
        }
    }

    /// <summary>Write-protects <paramref name="count"/> sectors from <paramref name="sector"/>.</summary>
    public void ProtectRange(long sector, long count, WriteProtectMode mode = WriteProtectMode.Error)
    {
        SectorRange.CheckCount(this, sector, count);
        _protected.Add((sector, count, mode));
    }

    /// <summary>Removes every bad sector, protected range, read fault and scheduled cut (the cache and power state stay).</summary>
    public void ClearFaults()
    {
        _badSectors.Clear();
        _protected.Clear();
        BitFlipRate = 0;
        BitFlipRateGrowth = 0;
        ReadErrorRate = 0;
        CancelCut();
    }

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        ThrowIfOff("read", sector);
        long count = SectorRange.Check(this, sector, buffer.Length);
        if (ReadErrorRate > 0 && _random.NextDouble() < ReadErrorRate)
        {
            Stats.MediumErrors++;
            throw new MediumException($"injected read error at sector {sector}", sector);
        }

        ThrowIfBad("read", sector, count);
        _inner.Read(sector, buffer);
        int sectorSize = SectorSize;
        if (_cacheView.Count > 0)
        {
            for (long i = 0; i < count; i++)
            {
                if (_cacheView.TryGetValue(sector + i, out CachedSector? cached))
                {
                    cached.Data.CopyTo(buffer.Slice((int)(i * sectorSize), sectorSize));
                }
            }
        }

        if (BitFlipRate > 0)
        {
            FlipBits(buffer, count);
        }

        BitFlipRate = Math.Min(1, BitFlipRate + BitFlipRateGrowth);
        Stats.Reads++;
    }

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        ThrowIfOff("write", sector);
        long count = SectorRange.Check(this, sector, data.Length);
        ThrowIfBad("write", sector, count);
        bool anySilent = CheckProtection(sector, count);
        if (_writesUntilCut == 0 || _operationsUntilCut == 0)
        {
            CutDuringWrite(sector, data, count);
        }

        CountDown();

        int id = _nextWriteId++;
        if (anySilent)
        {
            // Land the unprotected runs only; protected sectors keep their content.
            int sectorSize = SectorSize;
            for (long i = 0; i < count; i++)
            {
                if (!IsSilentlyProtected(sector + i))
                {
                    Land(id, sector + i, data.Slice((int)(i * sectorSize), sectorSize), flags);
                }
            }
        }
        else
        {
            Land(id, sector, data, flags);
        }

        Stats.Writes++;
        Stats.SectorsWritten += count;
    }

    /// <inheritdoc />
    public void Flush()
    {
        ThrowIfOff("flush", 0);
        CutIfDue("flush", 0);
        WriteBackCache(keep: null);
        _inner.Flush();
        Stats.Flushes++;
    }

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        ThrowIfOff("discard", sector);
        SectorRange.CheckCount(this, sector, count);
        bool anySilent = CheckProtection(sector, count);
        CutIfDue("discard", sector);

        // A discard is ordered after the writes before it: write the cache back first (a device may
        // always persist early), then discard on the medium.
        WriteBackCache(keep: null);
        if (anySilent)
        {
            for (long s = sector; s < sector + count; s++)
            {
                if (!IsSilentlyProtected(s))
                {
                    _inner.Discard(s, 1);
                }
            }
        }
        else
        {
            _inner.Discard(sector, count);
        }

        Stats.Discards++;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _pending.Clear();
        _cacheView.Clear();
        if (!_leaveOpen)
        {
            _inner.Dispose();
        }
    }

    private void Land(int writeId, long sector, ReadOnlySpan<byte> data, WriteFlags flags)
    {
        int sectorSize = SectorSize;
        long count = data.Length / sectorSize;
        if (!VolatileCache || (flags & WriteFlags.ForceUnitAccess) != 0)
        {
            _inner.Write(sector, data, flags);
            if (_cacheView.Count > 0)
            {
                // FUA data is on the medium: older cached data of these sectors must never land over it.
                for (long s = sector; s < sector + count; s++)
                {
                    if (_cacheView.Remove(s, out CachedSector? stale))
                    {
                        stale.Superseded = true;
                        foreach (CachedSector older in _pending)
                        {
                            if (older.Sector == s)
                            {
                                older.Superseded = true;
                            }
                        }
                    }
                }
            }

            return;
        }

        for (long i = 0; i < count; i++)
        {
            var cached = new CachedSector(writeId, sector + i, data.Slice((int)(i * sectorSize), sectorSize).ToArray());
            _pending.Add(cached);
            _cacheView[sector + i] = cached;
        }
    }

    private void CutDuringWrite(long sector, ReadOnlySpan<byte> data, long count)
    {
        int sectorSize = SectorSize;
        var landed = new bool[count];
        long garbage = -1;
        if (_cutAtByte is int atByte)
        {
            long whole = Math.Min(count, atByte / sectorSize);
            Array.Fill(landed, true, 0, (int)whole);
            if (GarbageOnTear && whole < count && atByte % sectorSize != 0)
            {
                garbage = whole;
            }
        }
        else
        {
            switch (TornWrites)
            {
                case TornWriteMode.Prefix:
                    long prefix = _random.NextInt64(count + 1);
                    Array.Fill(landed, true, 0, (int)prefix);
                    if (GarbageOnTear && prefix < count)
                    {
                        garbage = prefix;
                    }

                    break;
                case TornWriteMode.Subset:
                    for (long i = 0; i < count; i++)
                    {
                        landed[i] = _random.NextBool();
                    }

                    if (GarbageOnTear)
                    {
                        long notLanded = landed.Count(l => !l);
                        if (notLanded > 0)
                        {
                            long pick = _random.NextInt64(notLanded);
                            for (long i = 0; i < count; i++)
                            {
                                if (!landed[i] && pick-- == 0)
                                {
                                    garbage = i;
                                    break;
                                }
                            }
                        }
                    }

                    break;
            }
        }

        // The cache is resolved first: everything in it was issued before this write.
        ResolveCacheAtCut();
        var landedList = new List<long>();
        for (long i = 0; i < count; i++)
        {
            if (landed[i] && !IsSilentlyProtected(sector + i))
            {
                _inner.Write(sector + i, data.Slice((int)(i * sectorSize), sectorSize));
                landedList.Add(i);
            }
        }

        if (garbage >= 0 && !IsSilentlyProtected(sector + garbage))
        {
            byte[] junk = new byte[sectorSize];
            _random.NextBytes(junk);
            _inner.Write(sector + garbage, junk);
        }

        long writeNumber = Stats.Writes + 1;
        LastCut = new PowerCutRecord(writeNumber, sector, count, landedList, garbage);
        IsPowered = false;
        Stats.PowerCuts++;
        CancelCut();
        throw new PowerLossException($"power cut during write {writeNumber} (sectors [{sector}, {sector}+{count})): {landedList.Count} sectors landed");
    }

    private void CountDown()
    {
        if (_writesUntilCut > 0)
        {
            _writesUntilCut--;
        }

        if (_operationsUntilCut > 0)
        {
            _operationsUntilCut--;
        }
    }

    /// <summary>For a flush or discard: cuts power instead when the scheduled operation count is reached.</summary>
    private void CutIfDue(string operation, long sector)
    {
        if (_operationsUntilCut == 0)
        {
            LastCut = null;
            CancelCut();
            CutNow();
            throw new PowerLossException($"power cut before {operation} (operation {Stats.Operations + 1}) at sector {sector}");
        }

        if (_operationsUntilCut > 0)
        {
            _operationsUntilCut--;
        }
    }

    private void ResolveCacheAtCut()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        switch (CacheLoss)
        {
            case CacheLossMode.KeepAll:
                WriteBackCache(keep: null);
                break;
            case CacheLossMode.RandomSubset:
                var keep = new Dictionary<int, bool>();
                foreach (CachedSector cached in _pending)
                {
                    if (!keep.ContainsKey(cached.WriteId))
                    {
                        keep[cached.WriteId] = _random.NextBool();
                    }
                }

                Stats.CachedWritesLost += keep.Count(k => !k.Value);
                WriteBackCache(keep);
                break;
            default:
                Stats.CachedWritesLost += _pending.Select(p => p.WriteId).Distinct().Count();
                _pending.Clear();
                _cacheView.Clear();
                break;
        }
    }

    private void WriteBackCache(Dictionary<int, bool>? keep)
    {
        // In issue order, so a later write of a sector lands over an earlier one.
        foreach (CachedSector cached in _pending)
        {
            if (!cached.Superseded && (keep is null || keep[cached.WriteId]))
            {
                _inner.Write(cached.Sector, cached.Data);
            }
        }

        _pending.Clear();
        _cacheView.Clear();
    }

    private void FlipBits(Span<byte> buffer, long count)
    {
        int sectorSize = SectorSize;
        int bits = sectorSize * 8;

        // Expected flips per sector = rate * bits; drawn as repeated Bernoulli trials (capped at 1/2 each).
        double perSector = Math.Min(0.5, BitFlipRate * bits);
        for (long i = 0; i < count; i++)
        {
            while (_random.NextDouble() < perSector)
            {
                long bit = _random.NextInt64(bits);
                buffer[(int)(i * sectorSize + bit / 8)] ^= (byte)(1 << (int)(bit % 8));
                Stats.BitFlips++;
            }
        }
    }

    private void ThrowIfOff(string operation, long sector)
    {
        if (!IsPowered)
        {
            throw new PowerLossException($"{operation} at sector {sector}: the device has no power (call PowerOn)");
        }
    }

    private void ThrowIfBad(string operation, long sector, long count)
    {
        if (_badSectors.Count == 0)
        {
            return;
        }

        for (long s = sector; s < sector + count; s++)
        {
            if (_badSectors.Contains(s))
            {
                Stats.MediumErrors++;
                throw new MediumException($"{operation}: bad sector {s}", s);
            }
        }
    }

    /// <summary>Throws for an <see cref="WriteProtectMode.Error"/> range; returns whether a silent range overlaps.</summary>
    private bool CheckProtection(long sector, long count)
    {
        bool anySilent = false;
        foreach ((long start, long length, WriteProtectMode mode) in _protected)
        {
            if (sector < start + length && start < sector + count)
            {
                if (mode == WriteProtectMode.Error)
                {
                    long first = Math.Max(sector, start);
                    Stats.MediumErrors++;
                    throw new MediumException($"write to write-protected sector {first} (range [{start}, {start}+{length}))", first);
                }

                anySilent = true;
            }
        }

        return anySilent;
    }

    private bool IsSilentlyProtected(long sector)
    {
        foreach ((long start, long length, WriteProtectMode mode) in _protected)
        {
            if (mode == WriteProtectMode.SilentlyIgnore && sector >= start && sector < start + length)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class CachedSector(int writeId, long sector, byte[] data)
    {
        public int WriteId { get; } = writeId;

        public long Sector { get; } = sector;

        public byte[] Data { get; } = data;

        public bool Superseded { get; set; }
    }
}
