namespace RecoverySim.BlockDevice;

/// <summary>A read error, a bad sector, or a write to a write-protected range.</summary>
public sealed class MediumException : BlockDeviceException
{
    /// <summary>Creates the exception for <paramref name="sector"/>.</summary>
    public MediumException(string message, long sector) : base(message) => Sector = sector;

    /// <summary>The first sector the fault concerns.</summary>
    public long Sector { get; }
}
