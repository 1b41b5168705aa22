namespace RecoverySim.Bootloader.Control;

/// <summary>The boot control block cannot be read or written as asked (bad layout, a misc partition too small).</summary>
public sealed class BootControlException : Exception
{
    /// <summary>Creates the exception with a message naming what is wrong.</summary>
    public BootControlException(string message) : base(message) { }
}
