namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// A path asked of a <see cref="FatVolume"/> does not exist, or is a directory where a file was
/// wanted (or the other way round). Derives from <see cref="BlockDeviceException"/> as
/// <see cref="FatFormatException"/> does, so a caller can catch both as one type.
/// </summary>
public sealed class FatFileNotFoundException : BlockDeviceException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public FatFileNotFoundException(string message, string path) : base(message) => Path = path;

    /// <summary>The path that was asked for.</summary>
    public string Path { get; }
}
