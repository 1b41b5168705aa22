namespace RecoverySim.Recovery;

/// <summary>What one run of recovery mode did.</summary>
public sealed record RecoveryResult
{
    /// <summary>True when the board's slots hold the golden release and the recovery request is cleared.</summary>
    public required bool Completed { get; init; }

    /// <summary>The source the golden image came from, or null.</summary>
    public string? Source { get; init; }

    /// <summary>The golden release id installed, or null.</summary>
    public string? Release { get; init; }

    /// <summary>The golden version installed, or null.</summary>
    public string? Version { get; init; }

    /// <summary>Bytes fetched from sources, every attempt included.</summary>
    public long BytesFetched { get; init; }

    /// <summary>Bytes written to slot partitions (payload and headers).</summary>
    public long BytesWritten { get; init; }

    /// <summary>True when an interrupted recovery was continued from the journal.</summary>
    public bool Resumed { get; init; }

    /// <summary>The slots that hold the golden release at the end (<c>a</c>, <c>b</c>).</summary>
    public IReadOnlyList<string> Slots { get; init; } = [];

    /// <summary>Every failed source attempt, in order.</summary>
    public IReadOnlyList<SourceFailure> Failures { get; init; } = [];
}
