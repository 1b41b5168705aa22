namespace RecoverySim.Bootloader.Rpmb;

/// <summary>The replay-protected store is damaged or too small: rollback protection cannot be trusted.</summary>
public sealed class RpmbException : Exception
{
    /// <summary>Creates the exception with a message naming what is wrong.</summary>
    public RpmbException(string message) : base(message) { }
}
