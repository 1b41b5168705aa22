namespace RecoverySim.GoldenImage;

/// <summary>
/// A signature that does not verify, a key that is not trusted, or a key file that cannot be
/// used (wrong type, wrong curve, wrong size).
/// </summary>
public class SignatureException : ImageException
{
    /// <summary>Creates the exception with a message naming the key or the signed object.</summary>
    public SignatureException(string message, string? member = null, string? field = null, Exception? inner = null)
        : base(message, member, field, inner)
    {
    }
}
