namespace RecoverySim.BlockDevice.Gpt;

/// <summary>A GUID partition table (or a part of one: MBR, header, entry array) is not valid; the message names the field, what was expected and what was found.</summary>
public sealed class GptFormatException : BlockDeviceException
{
    /// <summary>Creates the exception.</summary>
    public GptFormatException(string message) : base(message) { }
}
