namespace RecoverySim.BlockDevice;

/// <summary>A fault of the medium or of its power: the base of the block-device exceptions.</summary>
public class BlockDeviceException : IOException
{
    /// <summary>Creates the exception with a message naming the fault.</summary>
    public BlockDeviceException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the fault that caused it.</summary>
    public BlockDeviceException(string message, Exception inner) : base(message, inner) { }
}
