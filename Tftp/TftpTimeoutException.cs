namespace RecoverySim.Tftp;

/// <summary>The peer stopped answering: every retransmission timed out.</summary>
public sealed class TftpTimeoutException : TftpException
{
    /// <summary>Creates the exception.</summary>
    public TftpTimeoutException(string message)
        : base(message)
    {
    }
}
