using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>What a client requires of an update index (docs/FORMAT.md "Update index", reading).</summary>
/// <param name="TrustedKeys">The keys that may sign an index.</param>
/// <param name="BoardId">The client's board id: the index must be for it.</param>
/// <param name="Channel">The channel the client follows: the index must be for it.</param>
/// <param name="Time">The client's clock: an index whose <c>expires_at</c> is not after now is refused.</param>
public sealed record UpdateIndexReadOptions(TrustedKeySet TrustedKeys, string BoardId, string Channel, TimeProvider Time)
{
    /// <summary>
    /// The sequence of the last index the client accepted: one below it is refused (a replayed
    /// old index). Equal is accepted (the same index fetched again). 0 accepts any.
    /// </summary>
    public long MinimumSequence { get; init; }
}
