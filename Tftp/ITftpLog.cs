namespace RecoverySim.Tftp;

/// <summary>
/// Receives the server's log events: one per request (accepted or refused) and one per
/// transfer when it ends. Called from the server's tasks: implementations must be thread-safe
/// and quick (no blocking I/O on the caller's thread is required, but allowed).
/// </summary>
public interface ITftpLog
{
    /// <summary>A datagram arrived at the listening port and was accepted, refused or dropped.</summary>
    void Request(TftpRequestLogEntry entry);

    /// <summary>A transfer ended, completed or failed.</summary>
    void Transfer(TftpTransferLogEntry entry);
}
