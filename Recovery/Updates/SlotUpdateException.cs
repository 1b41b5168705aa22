namespace RecoverySim.Recovery.Updates;

/// <summary>An A/B install that cannot start or whose slot does not verify afterwards.</summary>
public sealed class SlotUpdateException : Exception
{
    /// <summary>Creates the exception with its one-line reason.</summary>
    public SlotUpdateException(string message)
        : base(message)
    {
    }
}
