namespace RecoverySim.BlockDevice.Mbr;

/// <summary>Sector 0 is not a valid MBR partition table; the message names the field, the value and the limit.</summary>
public sealed class MbrFormatException : BlockDeviceException
{
    /// <summary>Creates the exception.</summary>
    public MbrFormatException(string message) : base(message) { }
}
