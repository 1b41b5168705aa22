namespace RecoverySim.GoldenImage;

/// <summary>
/// The base of every rejection of an image, a bundle or a key: bad bytes, a bad signature, a
/// policy that refuses it. The message names what was wrong (the member, the field, what was
/// expected and what was found) so that a command can print it as its one error line.
/// </summary>
public abstract class ImageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole human message.</param>
    /// <param name="member">The bundle member or partition concerned, when there is one.</param>
    /// <param name="field">The field concerned, when there is one.</param>
    /// <param name="inner">The cause, when there is one.</param>
    protected ImageException(string message, string? member, string? field, Exception? inner)
        : base(message, inner)
    {
        Member = member;
        Field = field;
    }

    /// <summary>The bundle member (for example <c>system.img</c>) or partition concerned, or null.</summary>
    public string? Member { get; }

    /// <summary>The field concerned (for example <c>rollback_index</c>), or null.</summary>
    public string? Field { get; }
}
