namespace RecoverySim.Lab.Benches;

/// <summary>A bench directory or bench.json is missing or invalid, or a bench cannot be created there; the message names the file and field.</summary>
public sealed class BenchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BenchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public BenchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
