namespace RecoverySim.Recovery.Journal;

/// <summary>Where a recovery stands (one byte of the journal record: never renumber).</summary>
public enum RecoveryPhase : byte
{
    /// <summary>No recovery in progress: the last one finished (or none ever ran).</summary>
    Idle = 0,

    /// <summary>Installing the golden image from a source into the install slot, partition by partition.</summary>
    Installing = 1,

    /// <summary>The install slot holds the verified golden release; copying it into the other slot.</summary>
    Copying = 2,

    /// <summary>Every slot that could be written holds the golden release; only the boot control block's final state is left to write.</summary>
    Finishing = 3,
}
