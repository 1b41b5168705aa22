namespace RecoverySim.Recovery.Updates;

/// <summary>
/// The update agent refused what the server offered (docs/UPDATES.md "Attacks"): the index or the
/// package failed a check (signature, expiry, board, rollback, size, rate, hash, source release).
/// Nothing is installed and the board stays on its running release. <see cref="Reason"/> is a
/// short kebab-case name of the check (<c>rollback</c>, <c>endless-data</c>, ...).
/// </summary>
public sealed class UpdateRefusedException : Exception
{
    /// <summary>A refusal for the check <paramref name="reason"/>, with a one-line <paramref name="message"/>.</summary>
    public UpdateRefusedException(string reason, string message, Exception? inner = null) : base(message, inner) => Reason = reason;

    /// <summary>The check that failed, kebab-case.</summary>
    public string Reason { get; }
}
