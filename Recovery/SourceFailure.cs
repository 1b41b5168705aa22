namespace RecoverySim.Recovery;

/// <summary>One failed attempt of a golden-image source.</summary>
/// <param name="Source">The source's description.</param>
/// <param name="Attempt">The attempt, from 1.</param>
/// <param name="Reason">Why it failed, one line.</param>
public readonly record struct SourceFailure(string Source, int Attempt, string Reason);
