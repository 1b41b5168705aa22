namespace RecoverySim.Lab.Benches;

/// <summary>An action was asked of a board (or of the bench's campaign runner) while another one runs there; nothing is changed by the refused one (HTTP 409 on the dashboard).</summary>
public sealed class ActionConflictException : Exception
{
    /// <summary>Creates the exception: <paramref name="target"/> is busy with <paramref name="running"/>, so <paramref name="refused"/> was refused.</summary>
    public ActionConflictException(string target, string running, string refused)
        : base($"{target} is busy: {running} is in progress, so {refused} was refused and nothing was changed; try again when it ends")
    {
        Target = target;
        Running = running;
    }

    /// <summary>The board, or <c>campaign</c>.</summary>
    public string Target { get; }

    /// <summary>The action in progress.</summary>
    public string Running { get; }
}
