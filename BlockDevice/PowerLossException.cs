namespace RecoverySim.BlockDevice;

/// <summary>
/// Power was cut: the operation did not complete, and every later operation on the device fails
/// the same way until power returns.
/// </summary>
public sealed class PowerLossException : BlockDeviceException
{
    /// <summary>Creates the exception with a message saying where power was lost.</summary>
    public PowerLossException(string message) : base(message) { }
}
