using RecoverySim.Bootloader.Control;
using RecoverySim.Recovery.Journal;
using RecoverySim.Testing;

namespace RecoverySim.Recovery.Tests;

/// <summary>Mutation fuzzing of the recovery journal record (issue 14 part 4).</summary>
public class RecoveryFuzzTests
{
    private static byte[] Bytes(RecoveryJournalRecord record)
    {
        byte[] bytes = new byte[RecoveryJournalRecord.Size];
        record.WriteTo(bytes);
        return bytes;
    }

    [Fact]
    public void Journal_try_parse_never_throws_and_what_it_accepts_round_trips()
    {
        byte[][] records =
        [
            Bytes(RecoveryJournalRecord.Idle),
            Bytes(new RecoveryJournalRecord(7, RecoveryPhase.Installing, RecoverySource.Tftp, Slot.B, 2, 1 << 20, new byte[32], "r-0123456789abcdef", "1.0.0", 3)),
            Bytes(new RecoveryJournalRecord(ulong.MaxValue, RecoveryPhase.Copying, RecoverySource.Usb, Slot.A, RecoveryJournalRecord.MaxPartitions - 1, long.MaxValue,
                Enumerable.Repeat((byte)0xAB, 32).ToArray(), new string('r', RecoveryJournalRecord.MaxTextBytes), "v", ulong.MaxValue)),
        ];
        Fuzz.Mutated(records).Sample(bytes =>
        {
            if (RecoveryJournalRecord.TryParse(bytes, out RecoveryJournalRecord record))
            {
                Assert.True(RecoveryJournalRecord.TryParse(Bytes(record), out RecoveryJournalRecord again) && again.Equals(record));
            }
        }, seed: Fuzz.Seed(1451), iter: Fuzz.Iterations);
    }
}
