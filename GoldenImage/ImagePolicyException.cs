namespace RecoverySim.GoldenImage;

/// <summary>
/// A well-formed, correctly signed image that the caller's policy refuses: made for another
/// board, or older than the rollback index the board already holds (anti-downgrade).
/// </summary>
public class ImagePolicyException : ImageException
{
    /// <summary>Creates the exception with a message naming the field, expected and found.</summary>
    public ImagePolicyException(string message, string? member = null, string? field = null, Exception? inner = null)
        : base(message, member, field, inner)
    {
    }
}
