namespace RecoverySim.Tftp;

/// <summary>Nothing listens where the request went: the network answered it with a port unreachable.</summary>
public sealed class TftpUnreachableException : TftpException
{
    /// <summary>Creates the exception.</summary>
    public TftpUnreachableException(string message)
        : base(message)
    {
    }
}
