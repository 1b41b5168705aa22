namespace RecoverySim.BlockDevice.Logging;

/// <summary>The operation a <see cref="WriteLogEntry"/> records.</summary>
public enum WriteLogEntryKind
{
    /// <summary>A write of whole sectors (possibly <see cref="WriteFlags.ForceUnitAccess"/>).</summary>
    Write,

    /// <summary>A flush: everything before it is durable.</summary>
    Flush,

    /// <summary>A discard: the sectors read as zeros from then on (volatile until a flush, like a write).</summary>
    Discard,
}
