namespace RecoverySim.Recovery.Updates;

/// <summary>
/// An install the agent began and has not reported yet (<c>attempt</c> in <c>update-state.json</c>):
/// saved before the first write to the target slot, so that after a power cut the next check
/// knows what the board was doing.
/// </summary>
/// <param name="FromRelease">The release the running slot held.</param>
/// <param name="ToRelease">The release being installed.</param>
/// <param name="Slot">The target slot (<c>a</c> or <c>b</c>).</param>
/// <param name="Activated">True once the install finished and the target was made active (the reboot decides the outcome).</param>
public sealed record UpdateAttempt(string? FromRelease, string ToRelease, string Slot, bool Activated);
