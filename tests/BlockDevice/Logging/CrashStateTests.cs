using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.BlockDevice.Tests.Logging;

/// <summary>Crash states: every id of generated logs rebuilds, as an overlay, exactly what a naive replay gives; ids round-trip.</summary>
public sealed class CrashStateTests
{
    private const int SectorSize = 512;
    private const long Sectors = 24;

    /// <summary>0 = flush, 1 = discard, else a write; FUA one time in four.</summary>
    private static readonly Gen<(int Kind, long Sector, long Count, int Seed, bool Fua)> GenOp =
        Gen.Select(Gen.Int[0, 6], Gen.Long[0, Sectors - 1], Gen.Long[1, 4], Gen.Int, Gen.Int[0, 3])
            .Select(t => (t.Item1, t.Item2, Math.Min(t.Item3, Sectors - t.Item2), t.Item4, t.Item5 == 0));

    private static readonly Gen<CrashState> GenState =
        Gen.OneOf(
            Gen.Int[0, int.MaxValue].Select(CrashState.AfterPrefix),
            Gen.Select(Gen.Int[0, 100_000], Gen.Bool.Array[0, 70]).Select(t => CrashState.WithCacheLoss(t.Item1, t.Item2)),
            Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 4096]).Select(t => CrashState.TornWrite(t.Item1, t.Item2)));

    [Fact]
    public void Every_crash_state_of_generated_logs_equals_a_naive_replay()
    {
        Gen.Select(GenOp.Array[0, 14], Gen.Long).Sample((ops, seed) =>
        {
            MemoryBlockDevice baseImage = BaseImage();
            WriteLog log = Record(baseImage, ops);
            var random = new SeededRandom(seed);
            foreach (CrashState state in AllStates(log, random))
            {
                string id = state.ToString();
                CrashState parsed = CrashState.Parse(id);
                Assert.Equal(state, parsed);
                Assert.Equal(id, parsed.ToString());

                byte[] expected = IndependentReplay(baseImage, log, parsed);
                using OverlayBlockDevice overlay = parsed.Open(baseImage, log);
                Assert.True(expected.AsSpan().SequenceEqual(ReadAll(overlay)), $"overlay of {id} differs from the replay");

                MemoryBlockDevice copy = baseImage.Clone();
                parsed.ReplayOnto(copy, log);
                Assert.True(expected.AsSpan().SequenceEqual(ReadAll(copy)), $"ReplayOnto of {id} differs from the replay");
            }

            // The base is never written by any overlay.
            Assert.True(ReadAll(BaseImage()).AsSpan().SequenceEqual(ReadAll(baseImage)));
        }, iter: 150, threads: 1);
    }

    [Fact]
    public void Last_prefix_equals_the_recorded_device()
    {
        GenOp.Array[0, 20].Sample(ops =>
        {
            MemoryBlockDevice baseImage = BaseImage();
            var live = new OverlayBlockDevice(baseImage);
            var recorder = new RecordingBlockDevice(live, leaveOpen: true);
            Apply(recorder, ops);
            using OverlayBlockDevice state = CrashState.AfterPrefix(recorder.Log.Count).Open(baseImage, recorder.Log);
            Assert.Equal(ReadAll(live), ReadAll(state));
        }, iter: 100, threads: 1);
    }

    [Fact]
    public void Enumerate_gives_every_prefix_every_small_cache_subset_and_every_torn_prefix_all_openable()
    {
        Gen.Select(GenOp.Array[0, 12], Gen.Int[1, 40]).Sample((ops, limit) =>
        {
            MemoryBlockDevice baseImage = BaseImage();
            WriteLog log = Record(baseImage, ops);
            CrashState[] states = [.. CrashState.Enumerate(log, limit, seed: 1)];
            int expected = 0;
            for (int k = 0; k <= log.Count; k++)
            {
                Assert.Contains(CrashState.AfterPrefix(k), states);
                int m = log.VolatileCount(k);
                expected += 1 + (m == 0 ? 0 : (1 << m) <= limit ? (1 << m) - 1 : limit);
                if (k < log.Count && log[k].Kind == WriteLogEntryKind.Write)
                {
                    expected += (int)log[k].SectorCount - 1;
                    for (int t = 1; t < log[k].SectorCount; t++)
                    {
                        Assert.Contains(CrashState.TornWrite(k, t), states);
                    }
                }
            }

            Assert.Equal(expected, states.Length);
            foreach (CrashState state in states)
            {
                using OverlayBlockDevice overlay = state.Open(baseImage, log);
                Assert.True(IndependentReplay(baseImage, log, state).AsSpan().SequenceEqual(ReadAll(overlay)));
            }
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void Ids_round_trip()
    {
        GenState.Sample(state => CrashState.Parse(state.ToString()) == state && CrashState.Parse(state.ToString()).ToString() == state.ToString(), iter: 2000);
    }

    [Fact]
    public void Random_text_never_breaks_the_parser()
    {
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["p0123456789-ctabcdefA"], 0, 20]).Sample(text =>
        {
            if (CrashState.TryParse(text, out CrashState state))
            {
                Assert.Equal(text, state.ToString()); // only canonical ids parse
            }
            else
            {
                Assert.Throws<FormatException>(() => CrashState.Parse(text));
            }
        }, iter: 5000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("q1")]
    [InlineData("p")]
    [InlineData("p01")]
    [InlineData("p1-")]
    [InlineData("p1-c")]
    [InlineData("p1-c0f")]
    [InlineData("p1-c1F")]
    [InlineData("p1-cx")]
    [InlineData("p1-t")]
    [InlineData("p1-t01")]
    [InlineData("p1-t2x")]
    [InlineData("p1-x2")]
    [InlineData("p2147483648")]
    [InlineData("P1")]
    public void Malformed_ids_are_refused_with_a_reason(string id)
    {
        var error = Assert.Throws<FormatException>(() => CrashState.Parse(id));
        Assert.StartsWith("crash-state id", error.Message);
    }

    [Fact]
    public void States_that_do_not_fit_the_log_are_refused()
    {
        MemoryBlockDevice baseImage = BaseImage();
        WriteLog log = Record(baseImage, [(2, 0, 2, 1, false), (0, 0, 0, 0, false), (2, 4, 1, 2, false)]);
        Assert.Throws<ArgumentException>(() => CrashState.AfterPrefix(4).Open(baseImage, log));
        Assert.Throws<ArgumentException>(() => CrashState.TornWrite(1, 0).Open(baseImage, log)); // entry 1 is a flush
        Assert.Throws<ArgumentException>(() => CrashState.TornWrite(0, 2).Open(baseImage, log)); // entry 0 writes 2 sectors
        Assert.Throws<ArgumentException>(() => CrashState.Parse("p3-c2").Open(baseImage, log)); // one volatile write after the flush
        using OverlayBlockDevice ok = CrashState.Parse("p3-c1").Open(baseImage, log);
        Assert.Equal(1, log.VolatileCount(3));
        Assert.Equal(2, log.DurableCount(3));
    }

    [Fact]
    public void Crash_state_overlay_takes_writes_without_touching_the_log_or_base()
    {
        MemoryBlockDevice baseImage = BaseImage();
        WriteLog log = Record(baseImage, [(2, 0, 2, 1, false)]);
        using OverlayBlockDevice state = CrashState.AfterPrefix(1).Open(baseImage, log);
        byte[] data = SectorModel.Data(50, 1, SectorSize);
        state.Write(0, data);
        using OverlayBlockDevice again = CrashState.AfterPrefix(1).Open(baseImage, log);
        byte[] back = new byte[SectorSize];
        again.Read(0, back);
        Assert.Equal(SectorModel.Data(1, 2, SectorSize)[..SectorSize], back);
        state.Read(0, back);
        Assert.Equal(data, back);
    }

    private static IEnumerable<CrashState> AllStates(WriteLog log, SeededRandom random)
    {
        for (int k = 0; k <= log.Count; k++)
        {
            yield return CrashState.AfterPrefix(k);
            int m = log.VolatileCount(k);
            if (m <= 4)
            {
                for (int mask = 0; mask < 1 << m; mask++)
                {
                    yield return CrashState.WithCacheLoss(k, [.. Enumerable.Range(0, m).Select(i => (mask >> i & 1) != 0)]);
                }
            }
            else
            {
                for (int i = 0; i < 6; i++)
                {
                    bool[] landed = new bool[m];
                    for (int b = 0; b < m; b++)
                    {
                        landed[b] = random.NextBool();
                    }

                    yield return CrashState.WithCacheLoss(k, landed);
                }
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

    /// <summary>The definition, written independently of the library: apply the entries that landed, in order.</summary>
    private static byte[] IndependentReplay(IBlockDevice baseImage, WriteLog log, CrashState state)
    {
        byte[] image = ReadAll(baseImage);
        int lastFlush = -1;
        for (int j = 0; j < state.Prefix; j++)
        {
            if (log[j].Kind == WriteLogEntryKind.Flush)
            {
                lastFlush = j;
            }
        }

        int volatileIndex = 0;
        for (int j = 0; j < state.Prefix; j++)
        {
            WriteLogEntry e = log[j];
            bool isVolatile = e.Kind == WriteLogEntryKind.Discard || (e.Kind == WriteLogEntryKind.Write && e.Flags == WriteFlags.None);
            bool landed = true;
            if (j > lastFlush && isVolatile)
            {
                landed = state.Landed(volatileIndex++);
            }

            if (landed)
            {
                Land(image, log, j, e.SectorCount);
            }
        }

        if (state.IsTorn)
        {
            Land(image, log, state.Prefix, state.TornSectors);
        }

        return image;
    }

    private static void Land(byte[] image, WriteLog log, int j, long sectors)
    {
        WriteLogEntry e = log[j];
        Span<byte> target = image.AsSpan((int)(e.Sector * SectorSize), (int)(sectors * SectorSize));
        if (e.Kind == WriteLogEntryKind.Write)
        {
            log.GetData(j)[..target.Length].CopyTo(target);
        }
        else if (e.Kind == WriteLogEntryKind.Discard)
        {
            target.Clear();
        }
    }

    private static MemoryBlockDevice BaseImage() => MemoryBlockDevice.FromImage(SectorModel.Data(12345, Sectors, SectorSize));

    private static WriteLog Record(MemoryBlockDevice baseImage, (int Kind, long Sector, long Count, int Seed, bool Fua)[] ops)
    {
        var recorder = new RecordingBlockDevice(new OverlayBlockDevice(baseImage));
        Apply(recorder, ops);
        return recorder.Log;
    }

    private static void Apply(IBlockDevice device, (int Kind, long Sector, long Count, int Seed, bool Fua)[] ops)
    {
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case 0:
                    device.Flush();
                    break;
                case 1:
                    device.Discard(op.Sector, op.Count);
                    break;
                default:
                    device.Write(op.Sector, SectorModel.Data(op.Seed, op.Count, SectorSize), op.Fua ? WriteFlags.ForceUnitAccess : WriteFlags.None);
                    break;
            }
        }
    }

    private static byte[] ReadAll(IBlockDevice device)
    {
        byte[] all = new byte[device.SectorCount * device.SectorSize];
        device.Read(0, all);
        return all;
    }
}
