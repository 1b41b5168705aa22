namespace RecoverySim.Tftp;

/// <summary>Which way a transfer goes, seen from the client.</summary>
public enum TftpOperation
{
    /// <summary>RRQ: the client reads a file from the server.</summary>
    Read,

    /// <summary>WRQ: the client writes a file to the server.</summary>
    Write,
}
