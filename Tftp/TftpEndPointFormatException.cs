namespace RecoverySim.Tftp;

/// <summary>
/// A <c>HOST[:PORT]</c> text is not a TFTP server address (<see cref="TftpEndPoint.Parse"/>).
/// The message quotes the text and says what is wrong; <see cref="Reason"/> is that part alone,
/// for callers that name the text's origin (a file and field, or a command-line flag) themselves.
/// </summary>
public sealed class TftpEndPointFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="text"/> and what is wrong with it.</summary>
    public TftpEndPointFormatException(string text, string reason)
        : base($"'{Packets.TftpStrings.Printable(text)}': {reason}")
    {
        Text = text;
        Reason = reason;
    }

    /// <summary>The text that was refused.</summary>
    public string Text { get; }

    /// <summary>What is wrong with it, e.g. <c>port '99999': expected 1 to 65535</c>.</summary>
    public string Reason { get; }
}
