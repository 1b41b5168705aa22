namespace RecoverySim.BlockDevice.Faults;

/// <summary>Counters of what a <see cref="FaultyBlockDevice"/> has seen, since it was created.</summary>
public sealed class FaultStats
{
    /// <summary>Write calls that completed (FUA or not), not counting a write interrupted by a cut.</summary>
    public long Writes { get; internal set; }

    /// <summary>Sectors written by the completed writes.</summary>
    public long SectorsWritten { get; internal set; }

    /// <summary>Read calls that completed.</summary>
    public long Reads { get; internal set; }

    /// <summary>Flush calls that completed.</summary>
    public long Flushes { get; internal set; }

    /// <summary>Discard calls that completed.</summary>
    public long Discards { get; internal set; }

    /// <summary>Operations that change the medium and completed: writes, flushes and discards (the unit of <see cref="FaultyBlockDevice.CutAfterOperations"/>).</summary>
    public long Operations => Writes + Flushes + Discards;

    /// <summary>Power cuts (scheduled or immediate).</summary>
    public long PowerCuts { get; internal set; }

    /// <summary>Bits flipped in read data.</summary>
    public long BitFlips { get; internal set; }

    /// <summary>Reads and writes failed with a <see cref="MediumException"/> (read errors, bad sectors, protected ranges).</summary>
    public long MediumErrors { get; internal set; }

    /// <summary>Cached writes lost at power cuts (whole writes).</summary>
    public long CachedWritesLost { get; internal set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"writes {Writes} ({SectorsWritten} sectors), reads {Reads}, flushes {Flushes}, discards {Discards}, power cuts {PowerCuts}, " +
        $"bit flips {BitFlips}, medium errors {MediumErrors}, cached writes lost {CachedWritesLost}";
}
