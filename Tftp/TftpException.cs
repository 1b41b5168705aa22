namespace RecoverySim.Tftp;

/// <summary>The base of every TFTP failure: a protocol violation, a refusal by the peer, or a timeout.</summary>
public abstract class TftpException : IOException
{
    /// <summary>Creates the exception with its message.</summary>
    protected TftpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    protected TftpException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
