using CsCheck;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Bootloader.Control;
using RecoverySim.Recovery.Journal;

namespace RecoverySim.Recovery.Tests.Journal;

/// <summary>The recovery journal record (round trip, hostile bytes) and its two-copy store (a model, cuts at every write).</summary>
public class RecoveryJournalTests
{
    private const long MiscBytes = 1 << 20;

    private static readonly Gen<string> GenText = Gen.String[Gen.Char['!', '~'], 0, RecoveryJournalRecord.MaxTextBytes];

    private static readonly Gen<RecoveryJournalRecord> GenRecord =
        Gen.Select(Gen.ULong, Gen.Enum<RecoveryPhase>(), Gen.Enum<RecoverySource>(), Gen.Enum<Slot>(), Gen.Int[0, RecoveryJournalRecord.MaxPartitions - 1], Gen.Long[0, long.MaxValue], Gen.Byte.Array[32], Gen.Select(GenText, GenText, Gen.ULong, Gen.Bool))
            .Select((seq, phase, source, slot, index, durable, sha, text) =>
                new RecoveryJournalRecord(seq, phase, source, slot, index, durable, sha, text.Item1, text.Item2, text.Item3, text.Item4));

    private static byte[] Bytes(RecoveryJournalRecord record)
    {
        byte[] bytes = new byte[RecoveryJournalRecord.Size];
        record.WriteTo(bytes);
        return bytes;
    }

    [Fact]
    public void RecordsRoundTrip() =>
        GenRecord.Sample(record => RecoveryJournalRecord.TryParse(Bytes(record), out RecoveryJournalRecord parsed) && parsed.Equals(record));

    [Fact]
    public void AnyChangedByteIsRefused() =>
        Gen.Select(GenRecord, Gen.Int[0, RecoveryJournalRecord.Size - 1], Gen.Byte[1, 255]).Sample((record, at, xor) =>
        {
            byte[] bytes = Bytes(record);
            bytes[at] ^= xor;
            return !RecoveryJournalRecord.TryParse(bytes, out _);
        });

    [Fact]
    public void MutatedOrRandomBytesParseOrAreRefusedNeverThrow() =>
        Gen.OneOf(
            Gen.Byte.Array[0, 700],
            Gen.Select(GenRecord, Gen.Int[0, RecoveryJournalRecord.Size], Gen.Byte.Array[0, 64]).Select((record, at, splice) =>
            {
                byte[] bytes = Bytes(record);
                return bytes[..at].Concat(splice).Concat(bytes[at..]).ToArray();
            })).Sample(bytes =>
            {
                if (RecoveryJournalRecord.TryParse(bytes, out RecoveryJournalRecord parsed))
                {
                    // What parses writes back to the same bytes.
                    Assert.Equal(bytes[..RecoveryJournalRecord.Size], Bytes(parsed));
                }
            });

    [Fact]
    public void FieldsOutOfRangeAreRefusedEvenWithAGoodCrc()
    {
        RecoveryJournalRecord good = new(1, RecoveryPhase.Installing, RecoverySource.Tftp, Slot.B, 2, 4096, new byte[32], "r1", "1.0", 3);
        foreach ((int offset, byte value) in new[] { (16, (byte)9), (17, (byte)7), (18, (byte)2), (19, (byte)16), (20, (byte)2), (21, (byte)1) })
        {
            byte[] bytes = Bytes(good);
            bytes[offset] = value;
            Bootloader.Storage.RecordEnvelope.Seal(bytes);
            Assert.False(RecoveryJournalRecord.TryParse(bytes, out _), $"byte {offset} = {value} was accepted");
        }
    }

    [Fact]
    public void ANeverWrittenJournalIsIdle()
    {
        var misc = new MemoryBlockDevice(MiscBytes / 512);
        Assert.False(new RecoveryJournal(misc).Read().InProgress);
    }

    /// <summary>The model: the last record written.</summary>
    private sealed class Model
    {
        public RecoveryJournalRecord? Last;
    }

    private sealed class Actual(MemoryBlockDevice misc)
    {
        public MemoryBlockDevice Misc { get; } = misc;

        public RecoveryJournal Journal { get; set; } = Open(misc);

        public static RecoveryJournal Open(MemoryBlockDevice misc)
        {
            var journal = new RecoveryJournal(misc);
            journal.Read();
            return journal;
        }
    }

    [Fact]
    public void WritesAndReopensMatchAModel() =>
        Gen.Const(0).Select(_ => (new Actual(new MemoryBlockDevice(MiscBytes / 512)), new Model())).SampleModelBased(
        [
            GenRecord.Operation<Actual, Model>(r => $"write {r.Phase} {r.PartitionIndex} {r.DurableBytes}",
                (a, r) => a.Journal.Write(r), (m, r) => m.Last = r),
            Gen.Const(0).Operation<Actual, Model>(_ => "reopen", (a, _) => a.Journal = Actual.Open(a.Misc), (_, _) => { }),
        ],
        (a, m) => Same(a.Journal.Peek(), m.Last ?? RecoveryJournalRecord.Idle) && Same(new RecoveryJournal(a.Misc).Read(), m.Last ?? RecoveryJournalRecord.Idle),
        iter: 200);

    [Fact]
    public void ACutInAnyJournalWriteLeavesTheOldRecordOrTheNew() =>
        Gen.Select(GenRecord.Array[1, 6], Gen.Int[0, 3]).Sample((records, cacheStates) =>
        {
            var base0 = new MemoryBlockDevice(MiscBytes / 512);
            var recording = new RecordingBlockDevice(base0.Clone());
            var journal = new RecoveryJournal(recording);
            journal.Read();
            var history = new List<(int LogCount, RecoveryJournalRecord Record)> { (0, RecoveryJournalRecord.Idle) };
            foreach (RecoveryJournalRecord record in records)
            {
                journal.Write(record);
                history.Add((recording.Log.Count, record));
            }

            foreach (CrashState state in CrashState.Enumerate(recording.Log, cacheStates, seed: 3))
            {
                using OverlayBlockDevice crashed = state.Open(base0, recording.Log);
                RecoveryJournalRecord seen = new RecoveryJournal(crashed).Peek();

                // Old or new: the last record whose writes all returned before the cut, or the one in flight.
                int done = history.FindLastIndex(h => h.LogCount <= state.Prefix && (!state.HasCacheLoss || h.LogCount <= recording.Log.DurableCount(state.Prefix)));
                bool ok = Same(seen, history[done].Record) || (done + 1 < history.Count && Same(seen, history[done + 1].Record));
                Assert.True(ok, $"crash state {state}: journal reads {seen.Phase}/{seen.PartitionIndex}/{seen.DurableBytes}");
            }
        }, iter: 30);

    private static bool Same(RecoveryJournalRecord a, RecoveryJournalRecord b) => a with { Sequence = 0 } == b with { Sequence = 0 };
}
