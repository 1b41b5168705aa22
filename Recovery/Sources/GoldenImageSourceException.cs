namespace RecoverySim.Recovery.Sources;

/// <summary>A golden-image source that cannot deliver: absent, unreachable, not what it should be.</summary>
public sealed class GoldenImageSourceException : IOException
{
    /// <summary>Creates the exception.</summary>
    public GoldenImageSourceException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public GoldenImageSourceException(string message, Exception inner) : base(message, inner)
    {
    }
}
