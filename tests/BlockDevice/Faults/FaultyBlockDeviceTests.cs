using RecoverySim.BlockDevice.Faults;

namespace RecoverySim.BlockDevice.Tests.Faults;

/// <summary>The fault-injecting device: cuts land exactly what they say, caches only lose what a real cache may, read faults are seeded.</summary>
public sealed class FaultyBlockDeviceTests
{
    private const int SectorSize = 512;
    private const long Sectors = 32;

    private static readonly Gen<(long Sector, long Count, int Seed)> GenWrite =
        Gen.Select(Gen.Long[0, Sectors - 1], Gen.Long[1, 6], Gen.Int)
            .Select(t => (t.Item1, Math.Min(t.Item2, Sectors - t.Item1), t.Item3));

    private static readonly Gen<(long Sector, long Count, int Seed)[]> GenWrites = GenWrite.Array[1, 12];

    /// <summary>One operation of a cached run: a flush, or a write (maybe FUA).</summary>
    private static readonly Gen<(bool Flush, long Sector, long Count, int Seed, bool Fua)> GenCachedOp =
        Gen.Select(Gen.Int[0, 4], GenWrite, Gen.Int[0, 3])
            .Select(t => (t.Item1 == 0, t.Item2.Sector, t.Item2.Count, t.Item2.Seed, t.Item3 == 0));

    [Fact]
    public void After_a_cut_at_write_n_the_device_holds_exactly_the_first_n_writes_and_the_torn_part()
    {
        Gen.Select(GenWrites, Gen.Int[0, 20], Gen.Enum<TornWriteMode>(), Gen.Bool, Gen.Long, Gen.Int[-1, 4 * SectorSize])
            .Sample((writes, cutIndex, mode, garbage, seed, atByte) =>
            {
                int n = cutIndex % writes.Length;
                MemoryBlockDevice medium = Prefilled();
                SectorModel model = ModelOf(medium);
                var faulty = new FaultyBlockDevice(medium, seed, leaveOpen: true) { TornWrites = mode, GarbageOnTear = garbage };
                faulty.CutAfterWrites(n, atByte >= 0 ? atByte : null);
                for (int i = 0; i < n; i++)
                {
                    (long sector, long count, int dataSeed) = writes[i];
                    faulty.Write(sector, SectorModel.Data(dataSeed, count, SectorSize));
                    model.Write(sector, SectorModel.Data(dataSeed, count, SectorSize));
                }

                (long cutSector, long cutCount, int cutSeed) = writes[n];
                byte[] cutData = SectorModel.Data(cutSeed, cutCount, SectorSize);
                Assert.Throws<PowerLossException>(() => faulty.Write(cutSector, cutData));

                // Dead until power returns: every operation fails.
                Assert.False(faulty.IsPowered);
                Assert.Throws<PowerLossException>(() => faulty.Read(0, new byte[SectorSize]));
                Assert.Throws<PowerLossException>(() => faulty.Write(0, new byte[SectorSize]));
                Assert.Throws<PowerLossException>(() => faulty.Flush());
                Assert.Throws<PowerLossException>(() => faulty.Discard(0, 1));
                faulty.PowerOn();

                PowerCutRecord cut = faulty.LastCut!;
                Assert.Equal(n + 1, cut.WriteNumber);
                Assert.Equal(n, faulty.Stats.Writes);
                long[] expectedLanded = atByte >= 0
                    ? [.. Enumerable.Range(0, (int)Math.Min(cutCount, atByte / SectorSize)).Select(i => (long)i)]
                    : mode switch
                    {
                        TornWriteMode.Nothing => [],
                        TornWriteMode.Prefix => [.. Enumerable.Range(0, cut.LandedSectors.Count).Select(i => (long)i)],
                        _ => [.. cut.LandedSectors],
                    };
                Assert.Equal(expectedLanded, cut.LandedSectors);
                foreach (long i in cut.LandedSectors)
                {
                    model.Write(cutSector + i, cutData.AsSpan((int)(i * SectorSize), SectorSize));
                }

                if (!garbage)
                {
                    Assert.Equal(-1, cut.GarbageSector);
                }

                Assert.DoesNotContain(cut.GarbageSector, cut.LandedSectors);
                byte[] actual = new byte[SectorSize];
                for (long s = 0; s < Sectors; s++)
                {
                    if (cut.GarbageSector >= 0 && s == cutSector + cut.GarbageSector)
                    {
                        continue; // garbage: the only sector allowed to hold anything
                    }

                    faulty.Read(s, actual);
                    Assert.True(actual.AsSpan().SequenceEqual(model.Read(s, 1)), $"sector {s} differs after a cut at write {n + 1}");
                }
            }, iter: 300, threads: 1);
    }

    [Fact]
    public void Same_seed_and_calls_give_the_same_faults()
    {
        Gen.Select(GenWrites, Gen.Long).Sample((writes, seed) =>
        {
            (byte[] Image, PowerCutRecord? Cut) Run()
            {
                MemoryBlockDevice medium = Prefilled();
                var faulty = new FaultyBlockDevice(medium, seed, volatileCache: true, leaveOpen: true)
                {
                    TornWrites = TornWriteMode.Subset, GarbageOnTear = true, CacheLoss = CacheLossMode.RandomSubset,
                };
                faulty.CutAfterWrites(writes.Length - 1);
                try
                {
                    foreach ((long sector, long count, int dataSeed) in writes)
                    {
                        faulty.Write(sector, SectorModel.Data(dataSeed, count, SectorSize));
                    }
                }
                catch (PowerLossException)
                {
                }

                byte[] image = new byte[Sectors * SectorSize];
                medium.Read(0, image);
                return (image, faulty.LastCut);
            }

            var (first, firstCut) = Run();
            var (second, secondCut) = Run();
            Assert.Equal(first, second);
            Assert.Equal(firstCut!.LandedSectors, secondCut!.LandedSectors);
            Assert.Equal(firstCut.GarbageSector, secondCut.GarbageSector);
        }, iter: 50, threads: 1);
    }

    [Fact]
    public void Cache_loss_states_only_contain_writes_a_real_device_could_have_persisted()
    {
        Gen.Select(GenCachedOp.Array[1, 20], Gen.Int[0, 30], Gen.Enum<CacheLossMode>(), Gen.Long)
            .Sample((ops, cutAt, mode, seed) =>
            {
                MemoryBlockDevice medium = Prefilled();
                SectorModel initial = ModelOf(medium);
                var faulty = new FaultyBlockDevice(medium, seed, volatileCache: true, leaveOpen: true) { CacheLoss = mode };
                int writeCount = ops.Count(o => !o.Flush);
                faulty.CutAfterWrites(cutAt % (writeCount + 1));

                // History of completed operations: (position, sector data, FUA) per sector; flush positions.
                var history = new Dictionary<long, List<(int Position, byte[] Data, bool Fua)>>();
                int lastFlush = -1;
                for (int position = 0; position < ops.Length; position++)
                {
                    var op = ops[position];
                    try
                    {
                        if (op.Flush)
                        {
                            faulty.Flush();
                            lastFlush = position;
                            continue;
                        }

                        byte[] data = SectorModel.Data(op.Seed, op.Count, SectorSize);
                        faulty.Write(op.Sector, data, op.Fua ? WriteFlags.ForceUnitAccess : WriteFlags.None);
                        for (long i = 0; i < op.Count; i++)
                        {
                            if (!history.TryGetValue(op.Sector + i, out var list))
                            {
                                history[op.Sector + i] = list = [];
                            }

                            list.Add((position, data[(int)(i * SectorSize)..(int)((i + 1) * SectorSize)], op.Fua));
                        }

                        // Before the cut, reads see the cache.
                        byte[] seen = new byte[data.Length];
                        faulty.Read(op.Sector, seen);
                        Assert.Equal(data, seen);
                    }
                    catch (PowerLossException)
                    {
                        break;
                    }
                }

                faulty.CutNow();
                faulty.PowerOn();
                byte[] actual = new byte[SectorSize];
                for (long s = 0; s < Sectors; s++)
                {
                    faulty.Read(s, actual);
                    byte[] durable = initial.Read(s, 1);
                    int durablePosition = -1;
                    var allowed = new List<byte[]>();
                    byte[]? newest = null;
                    if (history.TryGetValue(s, out var writes))
                    {
                        foreach (var w in writes.Where(w => w.Position < lastFlush || w.Fua))
                        {
                            durable = w.Data;
                            durablePosition = w.Position;
                        }

                        allowed.AddRange(writes.Where(w => w.Position > durablePosition && w.Position > lastFlush && !w.Fua).Select(w => w.Data));
                        newest = writes[^1].Data;
                    }

                    allowed.Add(durable);
                    switch (mode)
                    {
                        case CacheLossMode.LoseAll:
                            Assert.Equal(durable, actual);
                            break;
                        case CacheLossMode.KeepAll:
                            Assert.Equal(newest ?? durable, actual);
                            break;
                        default:
                            Assert.True(allowed.Any(a => a.AsSpan().SequenceEqual(actual)), $"sector {s} holds data no cache could have left");
                            break;
                    }
                }
            }, iter: 300, threads: 1);
    }

    [Fact]
    public void Flushed_and_fua_writes_survive_a_cut_that_loses_the_cache()
    {
        var medium = new MemoryBlockDevice(Sectors, SectorSize);
        var faulty = new FaultyBlockDevice(medium, 1, volatileCache: true) { CacheLoss = CacheLossMode.LoseAll };
        byte[] a = SectorModel.Data(1, 1, SectorSize), b = SectorModel.Data(2, 1, SectorSize), c = SectorModel.Data(3, 1, SectorSize);
        faulty.Write(0, a);
        faulty.Flush();
        faulty.Write(1, b, WriteFlags.ForceUnitAccess);
        faulty.Write(2, c);
        Assert.Equal(1, faulty.CachedSectorCount);
        faulty.CutNow();
        faulty.PowerOn();
        byte[] back = new byte[3 * SectorSize];
        faulty.Read(0, back);
        Assert.Equal(a, back[..512]);
        Assert.Equal(b, back[512..1024]);
        Assert.All(back[1024..], x => Assert.Equal(0, x));
        Assert.Equal(1, faulty.Stats.CachedWritesLost);
    }

    [Fact]
    public void A_cut_counted_in_operations_can_fall_just_before_a_flush()
    {
        var medium = new MemoryBlockDevice(Sectors, SectorSize);
        var faulty = new FaultyBlockDevice(medium, 1, volatileCache: true) { CacheLoss = CacheLossMode.LoseAll };
        byte[] a = SectorModel.Data(1, 1, SectorSize);
        faulty.CutAfterOperations(1);
        faulty.Write(0, a);
        Assert.Throws<PowerLossException>(() => faulty.Flush());
        Assert.Null(faulty.LastCut);
        faulty.PowerOn();
        byte[] back = new byte[SectorSize];
        faulty.Read(0, back);
        Assert.All(back, x => Assert.Equal(0, x)); // the flush never happened: the cached write was lost
        Assert.Equal(1, faulty.Stats.Operations);

        faulty.CutAfterOperations(2);
        faulty.Write(0, a);
        faulty.Flush();
        Assert.Throws<PowerLossException>(() => faulty.Discard(0, 1));
        faulty.PowerOn();
        faulty.Read(0, back);
        Assert.Equal(a, back); // flushed before the cut, and the discard never happened
    }

    [Fact]
    public void Fua_write_supersedes_older_cached_data_of_its_sectors()
    {
        var medium = new MemoryBlockDevice(Sectors, SectorSize);
        var faulty = new FaultyBlockDevice(medium, 1, volatileCache: true) { CacheLoss = CacheLossMode.KeepAll };
        byte[] old = SectorModel.Data(1, 1, SectorSize), fua = SectorModel.Data(2, 1, SectorSize);
        faulty.Write(5, old);
        faulty.Write(5, fua, WriteFlags.ForceUnitAccess);
        faulty.CutNow();
        faulty.PowerOn();
        byte[] back = new byte[SectorSize];
        faulty.Read(5, back);
        Assert.Equal(fua, back);
    }

    [Fact]
    public void Bit_flips_change_read_data_only_and_are_counted()
    {
        MemoryBlockDevice medium = Prefilled();
        var faulty = new FaultyBlockDevice(medium, 42, leaveOpen: true) { BitFlipRate = 1e-4 };
        byte[] clean = new byte[Sectors * SectorSize], flipped = new byte[Sectors * SectorSize];
        medium.Read(0, clean);
        faulty.Read(0, flipped);
        int differing = clean.Zip(flipped).Sum(p => System.Numerics.BitOperations.PopCount((uint)(p.First ^ p.Second)));
        Assert.True(differing > 0, "a rate of 1e-4 per bit over 131072 bits flips some");
        Assert.True(differing <= faulty.Stats.BitFlips);
        byte[] after = new byte[clean.Length];
        medium.Read(0, after);
        Assert.Equal(clean, after); // the medium itself is untouched
    }

    [Fact]
    public void Bit_flip_rate_rises_with_wear()
    {
        var faulty = new FaultyBlockDevice(Prefilled(), 3) { BitFlipRateGrowth = 1e-6 };
        byte[] buffer = new byte[SectorSize];
        faulty.Read(0, buffer);
        Assert.Equal(0, faulty.Stats.BitFlips); // the first read is at rate 0
        for (int i = 0; i < 200; i++)
        {
            faulty.Read(0, buffer);
        }

        Assert.True(faulty.Stats.BitFlips > 0);
        Assert.True(faulty.BitFlipRate > 1e-4);
    }

    [Fact]
    public void Read_errors_and_bad_sectors_throw_medium_exceptions()
    {
        var faulty = new FaultyBlockDevice(Prefilled(), 5) { ReadErrorRate = 1 };
        Assert.Throws<MediumException>(() => faulty.Read(0, new byte[SectorSize]));
        faulty.ReadErrorRate = 0;
        faulty.AddBadSectors(5, 2);
        var error = Assert.Throws<MediumException>(() => faulty.Read(4, new byte[3 * SectorSize]));
        Assert.Equal(5, error.Sector);
        Assert.Throws<MediumException>(() => faulty.Write(6, new byte[SectorSize]));
        faulty.Read(7, new byte[SectorSize]);
        Assert.Equal(2, faulty.Stats.MediumErrors - 1);
    }

    [Fact]
    public void Write_protected_ranges_fail_or_silently_keep_their_content()
    {
        MemoryBlockDevice medium = Prefilled();
        SectorModel before = ModelOf(medium);
        var faulty = new FaultyBlockDevice(medium, 5, leaveOpen: true);
        faulty.ProtectRange(4, 2, WriteProtectMode.Error);
        faulty.ProtectRange(10, 2, WriteProtectMode.SilentlyIgnore);
        byte[] data = SectorModel.Data(77, 4, SectorSize);

        var error = Assert.Throws<MediumException>(() => faulty.Write(2, data));
        Assert.Equal(4, error.Sector);
        Assert.True(before.Matches(medium), "a refused write writes nothing");

        faulty.Write(8, data); // sectors 8..11: 10 and 11 protected silently
        before.Write(8, data.AsSpan(0, 2 * SectorSize));
        Assert.True(before.Matches(medium));
    }

    private static MemoryBlockDevice Prefilled()
    {
        var medium = new MemoryBlockDevice(Sectors, SectorSize);
        medium.Write(0, SectorModel.Data(999, Sectors, SectorSize));
        return medium;
    }

    private static SectorModel ModelOf(IBlockDevice device)
    {
        var model = new SectorModel(SectorSize, Sectors);
        byte[] all = new byte[Sectors * SectorSize];
        device.Read(0, all);
        model.Write(0, all);
        return model;
    }
}
