using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.BlockDevice.Tests.Gpt;

/// <summary>
/// The GPT write order is power-safe: a cut at any write, with any torn sectors, garbage, or cache
/// loss, leaves a disk that reads as the old table or the new one (docs/FORMAT.md, "GUID partition table").
/// </summary>
public sealed class GptPowerCutTests
{
    private const int SectorSize = 512;

    [Fact]
    public void A_cut_at_every_write_of_a_table_update_reads_as_the_old_or_the_new_table()
    {
        (MemoryBlockDevice pristine, GptTable oldTable) = WithTable(GptGen.BoardLayout(), 1);
        GptTable newTable = GptTable.Create(SectorSize, pristine.SectorCount, GptGen.BoardLayout(userdataBytes: 1 << 20), GptGen.Guids(2));

        // A clean run counts the writes of one table update: every one of them is a cut point.
        var counter = new FaultyBlockDevice(pristine.Clone(), 0);
        newTable.Write(counter);
        long writes = counter.Stats.Writes;
        Assert.Equal(5, writes);
        Assert.Equal(2, counter.Stats.Flushes);

        int states = 0;
        for (long n = 0; n < writes; n++)
        {
            foreach (TornWriteMode torn in Enum.GetValues<TornWriteMode>())
            {
                foreach (bool garbage in new[] { false, true })
                {
                    foreach (CacheLossMode? cache in new CacheLossMode?[] { null, CacheLossMode.LoseAll, CacheLossMode.KeepAll, CacheLossMode.RandomSubset })
                    {
                        for (long seed = 0; seed < 4; seed++)
                        {
                            var faulty = new FaultyBlockDevice(pristine.Clone(), seed, volatileCache: cache is not null)
                            {
                                TornWrites = torn, GarbageOnTear = garbage, CacheLoss = cache ?? CacheLossMode.LoseAll,
                            };
                            faulty.CutAfterWrites(n);
                            Assert.Throws<PowerLossException>(() => newTable.Write(faulty));
                            faulty.PowerOn();
                            AssertOldOrNew(faulty, oldTable, newTable, $"cut at write {n + 1}, {torn}, garbage {garbage}, cache {cache}, seed {seed}");
                            states++;
                        }
                    }
                }
            }
        }

        Assert.Equal(writes * 3 * 2 * 4 * 4, states);
    }

    [Fact]
    public void A_cut_at_every_operation_including_just_before_each_flush_reads_as_the_old_or_the_new_table()
    {
        (MemoryBlockDevice pristine, GptTable oldTable) = WithTable(GptGen.BoardLayout(), 3);
        GptTable newTable = GptTable.Create(SectorSize, pristine.SectorCount, GptGen.BoardLayout(userdataBytes: 2 << 20), GptGen.Guids(4));
        var counter = new FaultyBlockDevice(pristine.Clone(), 0);
        newTable.Write(counter);
        Assert.Equal(7, counter.Stats.Operations);
        for (long n = 0; n < counter.Stats.Operations; n++)
        {
            foreach (CacheLossMode cache in Enum.GetValues<CacheLossMode>())
            {
                for (long seed = 0; seed < 4; seed++)
                {
                    var faulty = new FaultyBlockDevice(pristine.Clone(), seed, volatileCache: true)
                    {
                        TornWrites = TornWriteMode.Subset, GarbageOnTear = seed % 2 == 0, CacheLoss = cache,
                    };
                    faulty.CutAfterOperations(n);
                    Assert.Throws<PowerLossException>(() => newTable.Write(faulty));
                    faulty.PowerOn();
                    AssertOldOrNew(faulty, oldTable, newTable, $"cut at operation {n + 1}, cache {cache}, seed {seed}");
                }
            }
        }
    }

    [Fact]
    public void Every_crash_state_of_generated_table_updates_reads_as_the_old_or_the_new_table()
    {
        // Exhaustive over the write log: every prefix, every subset of the cached writes, every torn prefix of every write.
        Gen.Select(GptGen.Specs, GptGen.Specs, Gen.Long).Sample((oldSpecs, newSpecs, seed) =>
        {
            (MemoryBlockDevice baseImage, GptTable oldTable) = WithTable(oldSpecs, seed);
            GptTable newTable = GptTable.Create(SectorSize, baseImage.SectorCount, newSpecs, GptGen.Guids(seed + 1));
            var recorder = new RecordingBlockDevice(new OverlayBlockDevice(baseImage));
            newTable.Write(recorder);
            foreach (CrashState state in StatesOf(recorder.Log))
            {
                using OverlayBlockDevice disk = state.Open(baseImage, recorder.Log);
                AssertOldOrNew(disk, oldTable, newTable, state.ToString());
            }
        }, iter: 25, threads: 1);
    }

    [Fact]
    public void Every_crash_state_of_a_first_table_write_reads_as_no_table_or_the_new_one()
    {
        var blank = new MemoryBlockDevice(GptGen.DiskSectors(SectorSize), SectorSize);
        GptTable table = GptTable.Create(SectorSize, blank.SectorCount, GptGen.BoardLayout(), GptGen.Guids(5));
        var recorder = new RecordingBlockDevice(new OverlayBlockDevice(blank));
        table.Write(recorder);
        int valid = 0;
        foreach (CrashState state in StatesOf(recorder.Log))
        {
            using OverlayBlockDevice disk = state.Open(blank, recorder.Log);
            try
            {
                Assert.Equal(table, GptTable.Read(disk).Table);
                valid++;
            }
            catch (GptFormatException)
            {
            }
        }

        Assert.True(valid > 0);
        using OverlayBlockDevice complete = CrashState.AfterPrefix(recorder.Log.Count).Open(blank, recorder.Log);
        Assert.True(GptTable.Read(complete).IsHealthy);
    }

    private static IEnumerable<CrashState> StatesOf(WriteLog log)
    {
        for (int k = 0; k <= log.Count; k++)
        {
            yield return CrashState.AfterPrefix(k);
            int m = log.VolatileCount(k);
            for (int mask = 0; mask < 1 << m; mask++)
            {
                yield return CrashState.WithCacheLoss(k, [.. Enumerable.Range(0, m).Select(i => (mask >> i & 1) != 0)]);
            }

            if (k < log.Count && log[k].Kind == WriteLogEntryKind.Write)
            {
                for (int t = 0; t < log[k].SectorCount; t++)
                {
                    yield return CrashState.TornWrite(k, t);
                }
            }
        }
    }

    private static void AssertOldOrNew(IBlockDevice disk, GptTable oldTable, GptTable newTable, string state)
    {
        GptReadResult result;
        try
        {
            result = GptTable.Read(disk);
        }
        catch (GptFormatException e)
        {
            Assert.Fail($"{state}: no valid table: {e.Message}");
            return;
        }

        Assert.True(result.Table.Equals(oldTable) || result.Table.Equals(newTable), $"{state}: read a table that is neither the old nor the new one");

        // Whatever was read, a repair makes the disk healthy with that same table.
        result.Repair(disk);
        GptReadResult repaired = GptTable.Read(disk);
        Assert.True(repaired.IsHealthy, $"{state}: after repair: {string.Join("; ", repaired.Problems)}");
        Assert.Equal(result.Table, repaired.Table);
    }

    private static (MemoryBlockDevice Disk, GptTable Table) WithTable(IReadOnlyList<GptPartitionSpec> specs, long seed)
    {
        var disk = new MemoryBlockDevice(GptGen.DiskSectors(SectorSize), SectorSize);
        GptTable table = GptTable.Create(SectorSize, disk.SectorCount, specs, GptGen.Guids(seed));
        table.Write(disk);
        return (disk, table);
    }
}
