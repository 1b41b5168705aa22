using RecoverySim.Bootloader.Install;
using RecoverySim.Recovery.Journal;

namespace RecoverySim.Recovery;

/// <summary>
/// Records a partition's progress in the recovery journal between the slot installer's steps: the
/// durable payload bytes after each flush, and the next partition once this one is installed.
/// </summary>
internal sealed class JournalHook(RecoveryJournal store, RecoveryJournalRecord journal, int partitions) : ISlotInstallHook
{
    public RecoveryJournalRecord Journal { get; private set; } = journal;

    public void HeaderCleared()
    {
    }

    public void PayloadDurable(long payloadBytes)
    {
        if (payloadBytes != Journal.DurableBytes)
        {
            Journal = store.Write(Journal with { DurableBytes = payloadBytes });
        }
    }

    public void Installed()
    {
        if (Journal.PartitionIndex + 1 < partitions)
        {
            Journal = store.Write(Journal with { PartitionIndex = Journal.PartitionIndex + 1, DurableBytes = 0 });
        }
    }
}
