namespace RecoverySim.Tftp;

/// <summary>The transfer mode of a request (RFC 1350 section 1). "mail" is obsolete and refused.</summary>
public enum TftpMode
{
    /// <summary>Raw 8-bit bytes.</summary>
    Octet,

    /// <summary>NVT ASCII: line ends travel as CR LF, a bare CR as CR NUL (RFC 764, RFC 1350 section 1).</summary>
    Netascii,
}
