namespace RecoverySim.Recovery.Updates;

/// <summary>An A/B install that cannot start or whose slot does not verify afterwards.</summary>
public sealed class SlotUpdateException : Exception
{
    /// <summary>Creates the exception with its one-line reason.</summary>
    /// <param name="message">What is wrong, in one line.</param>
    /// <param name="reason">The check that failed, kebab-case: <c>no-backup</c>, <c>wrong-source</c>, <c>mix-and-match</c>, <c>verify-failed</c>.</param>
    public SlotUpdateException(string message, string reason = "verify-failed")
        : base(message) => Reason = reason;

    /// <summary>The check that failed, kebab-case.</summary>
    public string Reason { get; }
}
