namespace RecoverySim.GoldenImage;

/// <summary>
/// Bytes that do not follow the format (docs/FORMAT.md): a bad magic, CRC, length, text field,
/// tar header, member order, size or hash, or data that ends early or goes on too long.
/// </summary>
public class ImageFormatException : ImageException
{
    /// <summary>Creates the exception with a message naming the field.</summary>
    public ImageFormatException(string message, string? member = null, string? field = null, Exception? inner = null)
        : base(message, member, field, inner)
    {
    }
}
