namespace RecoverySim.Tftp;

/// <summary>
/// A transfer failed on the protocol level: a malformed or unexpected packet, an option
/// negotiation that could not succeed, or an ERROR packet from the peer.
/// </summary>
public sealed class TftpProtocolException : TftpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The TFTP error code that describes the failure (sent or received).</param>
    /// <param name="message">What was wrong: which field, what was expected, what was found.</param>
    /// <param name="fromPeer">True when the peer reported the error in an ERROR packet.</param>
    public TftpProtocolException(TftpErrorCode errorCode, string message, bool fromPeer = false)
        : base(message)
    {
        ErrorCode = errorCode;
        FromPeer = fromPeer;
    }

    /// <summary>The TFTP error code of the failure.</summary>
    public TftpErrorCode ErrorCode { get; }

    /// <summary>True when the peer sent an ERROR packet; false when this side detected the problem.</summary>
    public bool FromPeer { get; }
}
